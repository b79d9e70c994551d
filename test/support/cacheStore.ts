import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listArtifacts } from './artifacts.js';

/** Every file under dir/sub (relative path -> bytes), the runner's state and store left out. */
export function treeBytes(dir: string, subs: string[]): Map<string, Buffer> {
  return new Map(listArtifacts(dir, subs).map((f) => [f, readFileSync(join(dir, f))]));
}

/** Restored instances of a run summary, as `node[ticker]`, sorted. */
export function restored(summary: { instances: { node: string; ticker: string | null; action: string }[] }): string[] {
  return summary.instances.filter((i) => i.action === 'restored').map((i) => (i.ticker ? `${i.node}[${i.ticker}]` : i.node)).sort();
}
