import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../project.js';
import type { Instance } from '../plan.js';
import { assess } from '../assess.js';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Change } from './changes.js';

/**
 * What incremental runs saw of each excluded instance: the input hashes it checked last (`seen`,
 * for the record `record`), and the reason found, if any. A run sees only its own changes: an
 * input that only gained rows in this run is still what a full run's reader would see if it was
 * so before; a restatement found one day still matters the next, until the instance runs again
 * (its record changes). A lost or damaged file only loses warnings, so it is not fsync'ed.
 */
const MARKS = 'excluded.json';
type Marks = Record<string, { record: string; seen: Record<string, string | null>; reason?: string }>;

/**
 * Why the outputs of a node a target excludes (they are read as they are) would not be what a
 * full run makes, after an incremental run: per excluded node, its stale instances' first reason.
 * Inputs that only gained rows (the reader's output would be a full run's, as for walk-forward
 * models trained before those rows) are not a reason; a restated or rebuilt input, an input added
 * or removed (a changed universe), or a changed param or code is.
 */
export function staleExcluded(project: Project, excluded: Iterable<string>, changes: ReadonlyMap<string, Change>): Map<string, { count: number; reason: string }> {
  const file = join(project.stateDir, MARKS);
  const marks = readMarks(file);
  const ids = [...excluded];
  const next: Marks = Object.fromEntries(Object.entries(marks).filter(([id]) => !ids.includes(id)));
  const out = new Map<string, { count: number; reason: string }>();
  for (const id of ids) {
    const inst = project.plan.instances.get(id)!;
    const a = assess(project, inst);
    const record = project.state.records.get(id);
    let reason: string | undefined;
    if (!a.inputsOnly && a.state !== 'fresh') reason = a.reasons[0];
    else if (record) {
      const mark = marks[id]?.record === record.key ? marks[id] : undefined;
      // first sight (no mark at all): the history before this run is unknown, give it the benefit of the doubt
      reason = mark?.reason ?? changedOtherwise(inst, mark?.seen ?? record.parts.inputs, a.parts.inputs, changes, !marks[id]);
      next[id] = { record: record.key, seen: a.parts.inputs, ...(reason ? { reason } : {}) };
    }
    if (reason === undefined) continue;
    const seen = out.get(inst.node.id);
    if (seen) seen.count++;
    else out.set(inst.node.id, { count: 1, reason });
  }
  if (Object.keys(next).length > 0 || existsSync(file)) writeFileAtomic(file, JSON.stringify(next), false);
  return out;
}

/**
 * The first input that changed since `seen` otherwise than by rows this run added to exactly
 * those bytes (any base, on first sight).
 */
function changedOtherwise(inst: Instance, seen: Record<string, string | null>, now: Record<string, string | null>, changes: ReadonlyMap<string, Change>, firstSight: boolean): string | undefined {
  const producers = new Map(inst.inputs.map((r) => [r.path, r.producer]));
  for (const path of new Set([...Object.keys(seen), ...Object.keys(now)])) {
    if (seen[path] === now[path]) continue;
    if (!(path in seen)) return `input added: ${path}`;
    if (!(path in now)) return `input removed: ${path}`;
    const producer = producers.get(path);
    const change = producer === undefined ? undefined : changes.get(producer);
    if (change?.kind === 'rows' && (firstSight || change.base[path] === seen[path])) continue;
    return `input changed other than by new rows: ${path}`;
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
