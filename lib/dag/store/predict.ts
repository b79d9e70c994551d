import type { Project } from '../project.js';
import type { Assessment } from '../assess.js';
import { cacheKey } from '../fingerprint.js';
import type { RunCache } from './runCache.js';

/**
 * Instances a run would restore from the local store instead of running, for `dag status` and
 * `--dry-run`. An instance downstream of a restore gets its inputs from the restored manifest's
 * output hashes, so its key is known before anything is restored; downstream of an instance that
 * must run, the key is unknown until it has run, and nothing is promised.
 */
export function predictRestores(project: Project, ids: string[], assessments: Map<string, Assessment>, cache: RunCache): Set<string> {
  const restorable = new Set<string>();
  const predicted = new Map<string, string>();
  const unknown = new Set<string>();
  for (const id of ids) {
    const a = assessments.get(id)!;
    const inst = project.plan.instances.get(id)!;
    if (a.state === 'fresh') continue;
    if (inst.deps.some((d) => unknown.has(d))) {
      unknown.add(id);
      continue;
    }
    const inputs = Object.fromEntries(Object.entries(a.parts.inputs).map(([p, h]) => [p, predicted.get(p) ?? h]));
    const m = cache.localManifest(cacheKey({ ...a.parts, inputs }));
    if (!m) {
      unknown.add(id);
      continue;
    }
    restorable.add(id);
    for (const [p, o] of Object.entries(m.outputs)) predicted.set(p, o.hash);
  }
  return restorable;
}

export const WILL_RESTORE = '(in cache: will restore)';

/** `param changed: risk.max_weight (in cache: will restore)`: the note joins the last reason. */
export function withRestoreNote(reasons: string[]): string[] {
  if (reasons.length === 0) return [WILL_RESTORE];
  return [...reasons.slice(0, -1), `${reasons[reasons.length - 1]} ${WILL_RESTORE}`];
}
