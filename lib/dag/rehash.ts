import type { Project } from './project.js';
import type { StatusRow } from './statusReport.js';

const MODIFIED = 'output modified outside dag: ';

export interface RehashResult {
  /** Outputs compared: those of every selected instance with a successful record. */
  checked: number;
  modified: { node: string; ticker: string | null; path: string }[];
}

/**
 * After an assessment made with the hash memo distrusted (HashMemo.rehashAll), the outputs whose
 * bytes are not the ones recorded: bit rot, a restored backup, an edit. Same size and mtime do
 * not hide a change here, unlike in a plain `status`.
 */
export function rehashResult(project: Project, ids: string[], rows: StatusRow[]): RehashResult {
  let checked = 0;
  for (const id of ids) if (project.state.records.get(id)?.status === 'ok') checked += project.plan.instances.get(id)!.outputs.length;
  const modified = rows.flatMap((r) => r.reasons.filter((x) => x.startsWith(MODIFIED)).map((x) => ({ node: r.node, ticker: r.ticker, path: x.slice(MODIFIED.length).replace(/ \(in cache: will restore\)$/, '') })));
  return { checked, modified };
}

export function formatRehash(r: RehashResult): string {
  const lines = r.modified.map((m) => `output modified outside dag: ${m.path} (${m.node}${m.ticker ? `[${m.ticker}]` : ''})`);
  lines.push(r.modified.length ? `rehash: ${r.modified.length} of ${r.checked} outputs differ from the bytes dag recorded` : `rehash: all ${r.checked} recorded outputs re-read and match`);
  return lines.join('\n');
}
