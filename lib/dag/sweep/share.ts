import { canonicalJson } from '../../io/canonicalJson.js';
import { sha256 } from '../hashMemo.js';
import { getKey } from '../template.js';
import type { Project } from '../project.js';

/**
 * A signature per instance that is equal across variants exactly when the instance will get the
 * same cache key in both (before anything runs, when input hashes are not known yet): same
 * node, ticker, declared param values, output paths and source files, and the same signatures
 * upstream. Code and the DAG file are the same for every variant of one sweep.
 */
export function instanceSignatures(project: Project, ids: string[]): Map<string, string> {
  const sigs = new Map<string, string>();
  for (const id of project.plan.order) {
    const inst = project.plan.instances.get(id)!;
    const params: Record<string, unknown> = {};
    for (const k of inst.node.params) params[k] = getKey(project.config, k) ?? null;
    sigs.set(id, sha256(canonicalJson({
      id,
      params,
      outputs: inst.outputs,
      sources: inst.inputs.filter((r) => !r.producer).map((r) => r.path),
      deps: inst.deps.map((d) => sigs.get(d)!).sort(),
    }, 0)));
  }
  const wanted = new Set(ids);
  return new Map([...sigs].filter(([id]) => wanted.has(id)));
}

/**
 * Who computes the shared work. An instance shared by two or more variants is computed by the
 * first variant that has it, in a first phase that runs those variants one after another (so
 * two variants never compute the same key at once); every other variant then restores it from
 * the store. Returns, per variant index, the shared instances it must run in that first phase
 * (the instances it claims and the shared ones upstream of them, restored when claimed before).
 */
export function sharedPhase(variants: { ids: string[]; sigs: Map<string, string> }[]): Map<number, string[]> {
  const count = new Map<string, number>();
  for (const v of variants) for (const s of new Set(v.sigs.values())) count.set(s, (count.get(s) ?? 0) + 1);
  const claimed = new Set<string>();
  const phase = new Map<number, string[]>();
  variants.forEach((v, i) => {
    const shared = v.ids.filter((id) => count.get(v.sigs.get(id)!)! > 1);
    if (shared.some((id) => !claimed.has(v.sigs.get(id)!))) phase.set(i, shared);
    for (const id of shared) claimed.add(v.sigs.get(id)!);
  });
  return phase;
}
