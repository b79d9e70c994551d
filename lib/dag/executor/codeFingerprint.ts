import { sha256 } from '../hashMemo.js';
import { canonicalJson } from '../../io/canonicalJson.js';
import type { Project } from '../project.js';

/** What a checkout computes with: every task's code closure and the engine (Node major, pinned packages). */
export interface CheckoutCode {
  fingerprint: string;
  engine: string;
  code: Record<string, string>;
}

/** The code of every node of the project's DAG (enabled or not), as the cache keys see it. */
export function checkoutCode(project: Project): CheckoutCode {
  const code: Record<string, string> = {};
  for (const node of project.dag.spec.nodes) Object.assign(code, project.fingerprinter.code(node.task));
  const engine = project.fingerprinter.engine;
  const sorted = Object.fromEntries(Object.entries(code).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { fingerprint: sha256(canonicalJson({ engine, code: sorted }, 0)), engine, code: sorted };
}

/** How another checkout's code differs from this one's, file by file (empty: the same). */
export function codeDifferences(mine: Omit<CheckoutCode, 'fingerprint'>, theirs: Omit<CheckoutCode, 'fingerprint'>): string[] {
  const out: string[] = [];
  if (mine.engine !== theirs.engine) out.push(`engine ${mine.engine} here, ${theirs.engine} there`);
  for (const f of [...new Set([...Object.keys(mine.code), ...Object.keys(theirs.code)])].sort()) {
    if (!(f in theirs.code)) out.push(`${f} (not there)`);
    else if (!(f in mine.code)) out.push(`${f} (not here)`);
    else if (mine.code[f] !== theirs.code[f]) out.push(`${f} differs`);
  }
  return out;
}

/** BullMQ queue of one checkout's code: a worker only ever sees jobs it can reproduce. No ':' (BullMQ's key separator). */
export function queueName(fingerprint: string): string {
  return `dag-${fingerprint.slice(0, 16)}`;
}
