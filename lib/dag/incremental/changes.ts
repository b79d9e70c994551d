import type { Project } from '../project.js';
import type { Instance } from '../plan.js';
import type { Assessment } from '../assess.js';
import type { InstanceOutcome } from '../runner.js';

/**
 * How an instance's outputs changed in this run, as the instances downstream see it:
 * - `none`: not at all (it was fresh, or it is not part of the run);
 * - `rows`: only rows dated from `since` on; `base` holds the output hashes the change is
 *   relative to (the files as they were before the run), so a reader whose last run saw other
 *   bytes knows the change does not describe what it saw;
 * - `full`: anything may have changed (it ran in full, was restored from a store, or restated).
 */
export type Change =
  | { kind: 'none' }
  | { kind: 'rows'; since: string; base: Record<string, string | null> }
  | { kind: 'full' };

const FULL: Change = { kind: 'full' };

/** Hashes of an instance's outputs as they are now (before it runs): what its change will be relative to. */
export function outputBase(project: Project, inst: Instance): Record<string, string | null> {
  return Object.fromEntries(inst.outputs.map((p) => [p, project.memo.hash(project.abs(p))]));
}

/**
 * The change of a finished instance. A `source` node's comes from the comparison of its tables
 * with their previous versions (TaskContext reports it); any other node's from how it ran.
 */
export function changeOf(inst: Instance, outcome: InstanceOutcome, since: string | undefined, base: Record<string, string | null>): Change {
  if (outcome.action === 'skipped') return { kind: 'none' };
  if (outcome.action !== 'ran') return FULL;
  if (inst.node.incremental?.kind === 'source') {
    const r = outcome.report ?? {};
    if (r.full || r.restated) return FULL;
    return typeof r.since === 'string' ? { kind: 'rows', since: r.since, base } : FULL;
  }
  return since ? { kind: 'rows', since, base } : FULL;
}

/**
 * From which date an instance can be brought up to date, or undefined: in full. Only a node
 * declared row-wise, carrying state or recomputing from the earliest change is ever
 * incremental, only on top of outputs its current code and params made (`inputsOnly`), and only
 * when every input that changed since its last run changed in rows, relative to the very bytes
 * it read then. The date is the earliest such change (or `forceSince`, when earlier).
 */
export function incrementalSince(
  project: Project,
  inst: Instance,
  a: Assessment,
  changes: ReadonlyMap<string, Change>,
  forceSince?: string,
): string | undefined {
  const kind = inst.node.incremental?.kind;
  if (!kind || kind === 'source' || !a.inputsOnly) return undefined;
  const record = project.state.records.get(inst.id);
  if (!record) return undefined;
  let since = forceSince;
  const before = record.parts.inputs;
  const now = a.parts.inputs;
  const paths = new Set([...Object.keys(before), ...Object.keys(now)]);
  let producers: Map<string, string | undefined> | undefined;
  for (const path of paths) {
    if (before[path] === now[path]) continue;
    producers ??= new Map(inst.inputs.map((r) => [r.path, r.producer]));
    const producer = producers.get(path);
    const change = producer === undefined ? undefined : changes.get(producer);
    if (!change || change.kind !== 'rows' || change.base[path] !== before[path]) return undefined;
    if (since === undefined || change.since < since) since = change.since;
  }
  return since;
}

/**
 * `--since` recomputes row-wise and earliest-change nodes even when nothing changed: a node that
 * carries state has nothing to recompute from an earlier date (its state is after its last row).
 */
export function forcedBySince(inst: Instance): boolean {
  const kind = inst.node.incremental?.kind;
  return kind === 'rows' || kind === 'earliest';
}
