import type { Assessment, InstanceState } from './assess.js';
import type { Project } from './project.js';
import { withRestoreNote } from './store/predict.js';

export interface StatusRow {
  node: string;
  ticker: string | null;
  /** Key of a list fan-out element. */
  item?: string;
  state: InstanceState;
  reasons: string[];
  /** A run would restore it from the local cache store instead of running it. */
  restorable: boolean;
}

export function statusRows(project: Project, ids: string[], assessments: Map<string, Assessment>, restorable: Set<string> = new Set()): StatusRow[] {
  return ids.map((id) => {
    const inst = project.plan.instances.get(id)!;
    const a = assessments.get(id)!;
    const inCache = restorable.has(id);
    return { node: inst.node.id, ticker: inst.ticker ?? null, ...(inst.item ? { item: inst.item.key } : {}), state: a.state, reasons: inCache ? withRestoreNote(a.reasons) : a.reasons, restorable: inCache };
  });
}

const STATES: InstanceState[] = ['fresh', 'stale', 'missing', 'failed'];

/** A row per node with counts per state; with `verbose`, each non-fresh instance and its reasons. */
export function formatStatus(rows: StatusRow[], verbose: boolean): string {
  const nodes = [...new Set(rows.map((r) => r.node))];
  const width = Math.max(4, ...nodes.map((n) => n.length));
  const lines = [`${'node'.padEnd(width)}  ${STATES.map((s) => s.padStart(7)).join(' ')}`];
  for (const node of nodes) {
    const mine = rows.filter((r) => r.node === node);
    lines.push(`${node.padEnd(width)}  ${STATES.map((s) => String(mine.filter((r) => r.state === s).length).padStart(7)).join(' ')}`);
    if (!verbose) continue;
    for (const r of mine) {
      if (r.state === 'fresh') continue;
      lines.push(`  ${r.ticker ?? r.item ?? '-'}: ${r.state}: ${r.reasons.join('; ')}`);
    }
  }
  const notFresh = rows.filter((r) => r.state !== 'fresh').length;
  lines.push(notFresh === 0 ? 'everything is fresh' : `${notFresh} of ${rows.length} instances need a run${verbose ? '' : ' (--verbose for reasons)'}`);
  return lines.join('\n');
}
