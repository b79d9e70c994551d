import { pathToFileURL } from 'node:url';
import type { LoadedDag, NodeDecl } from './spec.js';
import { UserError } from './errors.js';
import { getKey, pickKeys } from './template.js';
import { taskModulePath } from './loadTask.js';

/** One element of a node's list fan-out: `key` names the instance, `value` joins its cache key. */
export interface FanItem {
  key: string;
  value: unknown;
}

/** A `fanout.derive` module's default export: the list, from the config keys it declared. */
export type Deriver = (config: Record<string, unknown>) => unknown[];

// keys become parts of instance ids and file names: no separators, no '..'
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.@=+-]*$/;

/** Import every `fanout.derive` module of the DAG (compiled twins of `.ts` files). */
export async function loadDerivers(dag: LoadedDag): Promise<Map<string, Deriver>> {
  const out = new Map<string, Deriver>();
  for (const node of dag.spec.nodes) {
    if (!node.fanout || !('derive' in node.fanout)) continue;
    const path = taskModulePath(dag.root, dag.spec.compiled_dir, node.fanout.derive);
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') {
      throw new UserError(`${dag.file}: node '${node.id}': fan-out module '${node.fanout.derive}' must export a default function (config) => list`);
    }
    out.set(node.id, mod.default as Deriver);
  }
  return out;
}

/** The elements a node fans out over, validated: keys unique and usable in file names. */
export function fanItems(node: NodeDecl, config: unknown, derivers: Map<string, Deriver>, where: string): FanItem[] {
  const decl = node.fanout!;
  let list: unknown;
  let source: string;
  if ('over' in decl) {
    list = getKey(config, decl.over);
    source = `config key '${decl.over}'`;
  } else {
    const derive = derivers.get(node.id);
    if (!derive) throw new UserError(`${where}: fan-out module '${decl.derive}' was not loaded`);
    list = derive(pickKeys(config, decl.from));
    source = `fan-out module '${decl.derive}'`;
  }
  if (!Array.isArray(list)) throw new UserError(`${where}: ${source} must give a list, got ${typeof list}`);
  const seen = new Set<string>();
  return list.map((value, i) => {
    const key = keyOf(value);
    if (key === undefined || !KEY.test(key)) {
      throw new UserError(`${where}: element ${i} of ${source} needs a key of letters, digits and _ . @ = + - (a string, a number, or an object with a string 'key'), got ${JSON.stringify(value)}`);
    }
    if (seen.has(key)) throw new UserError(`${where}: ${source} lists the key '${key}' twice`);
    seen.add(key);
    return { key, value };
  });
}

function keyOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value !== null && typeof value === 'object' && typeof (value as { key?: unknown }).key === 'string') return (value as { key: string }).key;
  return undefined;
}
