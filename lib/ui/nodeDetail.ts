import { dirname, extname } from 'node:path';
import type { Project } from '../dag/project.js';
import { getKey } from '../dag/template.js';
import { UserError } from '../dag/errors.js';
import type { InstanceView, Overlay } from './graphState.js';
import { pathBytes } from './fileSize.js';

export interface FileGroup {
  /** A path, or `folder/*.ext` for several files of one folder and extension. */
  path: string;
  /** Node that writes them (inputs), when one does. */
  from?: string;
  files: number;
  missing: number;
  bytes: number;
}

export interface NodeDetail {
  id: string;
  description: string;
  task: string;
  perTicker: boolean;
  params: { key: string; value: unknown }[];
  instances: (InstanceView & { ms: number | null; bytes: number })[];
  inputs: FileGroup[];
  outputs: FileGroup[];
  lastRun: { time: string; run: string; action: string; instance: string; ms: number | null } | null;
}

/** Files grouped by producer, folder and extension, so 500 per-ticker files make one row. */
function group(files: { path: string; from?: string }[], size: (path: string) => number | null): FileGroup[] {
  const groups = new Map<string, { from?: string; paths: string[] }>();
  for (const f of files) {
    const key = `${f.from ?? ''}\u0000${dirname(f.path)}/*${extname(f.path)}`;
    const g = groups.get(key) ?? { from: f.from, paths: [] };
    g.paths.push(f.path);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    let bytes = 0;
    let missing = 0;
    for (const p of g.paths) {
      const b = size(p);
      if (b === null) missing++;
      else bytes += b;
    }
    const path = g.paths.length === 1 ? g.paths[0] : `${dirname(g.paths[0])}/*${extname(g.paths[0])}`;
    return { path, ...(g.from ? { from: g.from } : {}), files: g.paths.length, missing, bytes };
  });
}

/** What the UI shows for one node: its instances with states and reasons, params, files, last run. */
export function nodeDetail(project: Project, nodeId: string, views: InstanceView[], overlay: Overlay): NodeDetail {
  const node = project.dag.nodes.get(nodeId);
  if (!node) throw new UserError(`unknown node '${nodeId}' (nodes: ${[...project.dag.nodes.keys()].join(', ')})`);
  const sizes = new Map<string, number | null>();
  const size = (p: string) => {
    if (!sizes.has(p)) sizes.set(p, pathBytes(project.abs(p)));
    return sizes.get(p)!;
  };
  const mine = views.filter((v) => v.node === nodeId);
  const insts = mine.map((v) => project.plan.instances.get(v.id)!);
  const seenIn = new Set<string>();
  const inputs: { path: string; from?: string }[] = [];
  for (const inst of insts) {
    for (const ref of inst.inputs) {
      if (seenIn.has(ref.path)) continue;
      seenIn.add(ref.path);
      inputs.push({ path: ref.path, from: ref.producer ? project.plan.instances.get(ref.producer)!.node.id : undefined });
    }
  }
  let lastRun: NodeDetail['lastRun'] = null;
  for (const v of mine) {
    const o = overlay.last.get(v.id);
    if (o && (!lastRun || o.time > lastRun.time)) lastRun = { time: o.time, run: o.run, action: o.action, instance: v.id, ms: o.ms ?? null };
  }
  return {
    id: node.id,
    description: node.description,
    task: node.task,
    perTicker: node.per_ticker,
    params: node.params.map((key) => ({ key, value: getKey(project.config, key) ?? null })),
    instances: mine.map((v, i) => ({
      ...v,
      ms: project.state.records.get(v.id)?.ms ?? null,
      bytes: insts[i].outputs.reduce((a, p) => a + (size(p) ?? 0), 0),
    })),
    inputs: group(inputs, size),
    outputs: group(insts.flatMap((i) => i.outputs.map((path) => ({ path }))), size),
    lastRun,
  };
}
