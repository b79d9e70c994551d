import { closeSync, openSync, readSync } from 'node:fs';
import type { Project } from './project.js';
import type { Instance } from './plan.js';
import { inputReasons, nodeReasons, type InstanceParts } from './fingerprint.js';
import { sha256 } from './hashMemo.js';

export type InstanceState = 'fresh' | 'stale' | 'missing' | 'failed';

export interface Assessment {
  state: InstanceState;
  reasons: string[];
  parts: InstanceParts;
  /**
   * Only inputs changed since the last successful run (same code and params, outputs as
   * recorded): the existing outputs are a valid base for an incremental run.
   */
  inputsOnly: boolean;
}

/** Compare an instance's stored record with its inputs, code, params and outputs as they are now. */
export function assess(project: Project, inst: Instance): Assessment {
  const parts = project.fingerprinter.parts(inst, project.abs);
  const record = project.state.records.get(inst.id);
  if (!record) return { state: 'missing', reasons: ['never run'], parts, inputsOnly: false };
  const reasons: string[] = [];
  const sameNode = record.parts.nodeKey === parts.nodeKey;
  if (!sameNode) {
    reasons.push(...nodeReasons(project.state.nodes.get(record.parts.nodeKey), project.fingerprinter.node(inst.node).parts));
  }
  reasons.push(...inputReasons(record.parts, parts, (path) => {
    const before = record.inputLines?.[path];
    const now = path.endsWith('.csv') ? project.memo.stamp(project.abs(path))?.lines : undefined;
    if (before === undefined || now === undefined) return path;
    const rows = (n: number, what = '') => `${n} ${what}row${n === 1 ? '' : 's'}`;
    if (now > before) {
      const size = record.inputSizes?.[path];
      // more lines may also be an old one changed: only a file that starts with its old bytes grew by rows alone
      if (size === undefined || startsWith(project.abs(path), size, record.parts.inputs[path])) return `${rows(now - before, 'new ')} in ${path}`;
      return `${path} (existing rows changed, ${rows(now - before)} more)`;
    }
    if (now < before) return `${rows(before - now)} fewer in ${path}`;
    return `${path} (existing rows changed)`;
  }));
  if (record.status === 'failed') return { state: 'failed', reasons: [`last run failed: ${record.error ?? 'unknown error'}`, ...reasons], parts, inputsOnly: false };
  let missing = false;
  let modified = false;
  for (const out of inst.outputs) {
    const hash = project.memo.hash(project.abs(out));
    if (hash === null) {
      missing = true;
      reasons.push(`output missing: ${out}`);
    } else if (hash !== record.outputs[out]) {
      modified = true;
      reasons.push(`output modified outside dag: ${out}`);
    }
  }
  return { state: missing ? 'missing' : reasons.length ? 'stale' : 'fresh', reasons, parts, inputsOnly: sameNode && !missing && !modified };
}

/**
 * Assess every selected instance in topological order; an instance downstream of one that is
 * not fresh is stale too (its inputs will change when the upstream one reruns).
 */
export function assessAll(project: Project, ids: string[]): Map<string, Assessment> {
  const out = new Map<string, Assessment>();
  for (const id of ids) {
    const inst = project.plan.instances.get(id)!;
    const a = assess(project, inst);
    const upstream = inst.deps.filter((d) => out.has(d) && out.get(d)!.state !== 'fresh');
    if (upstream.length) {
      a.reasons.push(...upstream.map((d) => `upstream not fresh: ${d}`));
      if (a.state === 'fresh') a.state = 'stale';
    }
    out.set(id, a);
  }
  return out;
}

/**
 * Whether the file starts with the lines of the file it was (`size` bytes hashing to `hash`): its
 * first `size` bytes are those, and they end a line (a last line without a line break that went on
 * is a changed row, not a new one).
 */
function startsWith(file: string, size: number, hash: string | null | undefined): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(size + 1);
    const read = readSync(fd, head, 0, size + 1, 0);
    const endsLine = size === 0 || head[size - 1] === 0x0a || (read > size && head[size] === 0x0a);
    return read >= size && endsLine && sha256(head.subarray(0, size)) === hash;
  } finally {
    closeSync(fd);
  }
}
