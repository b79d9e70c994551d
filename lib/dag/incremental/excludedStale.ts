import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../project.js';
import type { Instance } from '../plan.js';
import { assess } from '../assess.js';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Change } from './changes.js';

/**
 * Excluded instances found out of date by an input that changed in full (a restatement, a
 * rebuild) in an incremental run, by record key: the runs after it see only their own rows, but
 * the instance stays out of date until it runs again (its record changes). A lost or damaged
 * file only loses warnings, so it is not fsync'ed.
 */
const MARKS = 'excluded.json';
type Marks = Record<string, { record: string; reason: string }>;

/**
 * Why the outputs of a node a target excludes (they are read as they are) would not be what a
 * full run makes, after an incremental run: per excluded node, its out-of-date instances' first
 * reason. Inputs that only gained rows are not a reason (a reader of history up to a date is
 * what it was, as walk-forward models trained before those rows are); an input this run rebuilt
 * in full (not restored from a store, whose bytes were made elsewhere from the same inputs),
 * an input added or removed (a changed universe), or a changed param or code is. An input
 * restated by a run of another target is not seen.
 */
export function staleExcluded(project: Project, excluded: Iterable<string>, changes: ReadonlyMap<string, Change>, restored: ReadonlySet<string>): Map<string, { count: number; reason: string }> {
  const file = join(project.stateDir, MARKS);
  const marks = readMarks(file);
  const ids = [...excluded];
  const next: Marks = Object.fromEntries(Object.entries(marks).filter(([id]) => !ids.includes(id)));
  const out = new Map<string, { count: number; reason: string }>();
  for (const id of ids) {
    const inst = project.plan.instances.get(id)!;
    const a = assess(project, inst);
    if (a.state === 'fresh') continue;
    let reason: string | undefined = a.reasons[0];
    if (a.inputsOnly) {
      const record = project.state.records.get(id)!;
      const before = record.parts.inputs;
      reason = universeChange(before, a.parts.inputs);
      if (reason === undefined) {
        reason = (marks[id]?.record === record.key ? marks[id].reason : undefined) ?? rebuiltInput(inst, before, a.parts.inputs, changes, restored);
        if (reason !== undefined) next[id] = { record: record.key, reason };
      }
    }
    if (reason === undefined) continue;
    const seen = out.get(inst.node.id);
    if (seen) seen.count++;
    else out.set(inst.node.id, { count: 1, reason });
  }
  if (Object.keys(next).length > 0 || existsSync(file)) writeFileAtomic(file, JSON.stringify(next), false);
  return out;
}

/** An input the instance reads now and did not when it ran, or the other way round. */
function universeChange(before: Record<string, string | null>, now: Record<string, string | null>): string | undefined {
  const added = Object.keys(now).find((p) => !(p in before));
  if (added !== undefined) return `input added: ${added}`;
  const removed = Object.keys(before).find((p) => !(p in now));
  return removed === undefined ? undefined : `input removed: ${removed}`;
}

/** The first input, changed since the instance ran, whose producer this run rebuilt in full. */
function rebuiltInput(inst: Instance, before: Record<string, string | null>, now: Record<string, string | null>, changes: ReadonlyMap<string, Change>, restored: ReadonlySet<string>): string | undefined {
  for (const ref of inst.inputs) {
    if (before[ref.path] === now[ref.path] || ref.producer === undefined || restored.has(ref.producer)) continue;
    if (changes.get(ref.producer)?.kind === 'full') return `input changed other than by new rows: ${ref.path}`;
  }
  return undefined;
}

function readMarks(file: string): Marks {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Marks) : {};
  } catch {
    return {};
  }
}
