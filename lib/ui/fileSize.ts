import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of a file, or of every file under a directory; null when absent. */
export function pathBytes(abs: string): number | null {
  let st;
  try {
    st = statSync(abs);
  } catch {
    return null;
  }
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const entry of readdirSync(abs, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}
