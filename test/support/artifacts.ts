import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Relative paths of every file under dir/sub (sorted), skipping the runner's own state. */
export function listArtifacts(dir: string, subs = ['artifacts', 'data']): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const r = `${rel}/${name}`;
      if (r.startsWith('artifacts/.dag')) continue;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out.push(r);
    }
  };
  for (const s of subs) if (existsSync(join(dir, s))) walk(s);
  return out.sort();
}

/** Files whose bytes differ between two work folders (or exist in only one). */
export function differingFiles(a: string, b: string, exclude: (path: string) => boolean = () => false): string[] {
  const files = [...new Set([...listArtifacts(a), ...listArtifacts(b)])].filter((f) => !exclude(f));
  return files.filter((f) => {
    try {
      return !readFileSync(join(a, f)).equals(readFileSync(join(b, f)));
    } catch {
      return true;
    }
  });
}
