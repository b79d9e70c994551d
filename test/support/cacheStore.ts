import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under a folder (relative path -> bytes), hidden files and the dag state left out. */
export function treeBytes(dir: string, skip = ['.dag', 'artifacts/.dag']): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.startsWith('.') || skip.includes(r)) continue;
      if (e.isDirectory()) walk(r);
      else out.set(r, readFileSync(join(dir, r)));
    }
  };
  walk('');
  return out;
}

/** Paths of every blob in a store folder. */
export function blobFiles(store: string): string[] {
  const root = join(store, 'blobs');
  return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)).filter((n) => !n.startsWith('.')).map((n) => join(root, shard, n)));
}

export function restored(summary: { instances: { node: string; ticker: string | null; action: string }[] }): string[] {
  return summary.instances.filter((i) => i.action === 'restored').map((i) => (i.ticker ? `${i.node}[${i.ticker}]` : i.node)).sort();
}
