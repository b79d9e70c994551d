import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { canonicalJson } from '../io/canonicalJson.js';
import type { NodeDecl } from './spec.js';
import type { Instance } from './plan.js';
import { CodeGraph } from './codeGraph.js';
import { HashMemo, sha256 } from './hashMemo.js';
import { getKey } from './template.js';
import { UserError } from './errors.js';

/** What every instance of a node shares in its cache key (stored once per node, not per instance). */
export interface NodeParts {
  decl: string;
  code: Record<string, string>;
  params: Record<string, unknown>;
  engine: string;
}

/** An instance's cache key: its node's parts (by hash), its input hashes and its output paths. */
export interface InstanceParts {
  nodeKey: string;
  inputs: Record<string, string | null>;
  outputs: string[];
  /** The list fan-out element of the instance (absent for other instances: their keys are unchanged). */
  item?: unknown;
}

export const ENGINE_VERSION = 'dag-engine/1';

export function cacheKey(parts: InstanceParts): string {
  return sha256(canonicalJson(parts, 0));
}

/** Leaf key paths -> values under `prefix`, so a change is reported at the leaf that changed. */
function flattenInto(out: Record<string, unknown>, prefix: string, v: unknown): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out[prefix] = {};
    for (const [k, sub] of entries) flattenInto(out, prefix ? `${prefix}.${k}` : k, sub);
  } else out[prefix] = v ?? null;
}

function flattenValue(v: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  flattenInto(out, '', v);
  return out;
}

/** Declared params as leaf key paths -> values, so a change is reported at the leaf that changed. */
export function flattenParams(config: unknown, keys: string[], where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = getKey(config, key);
    if (v === undefined) throw new UserError(`${where}: declared param '${key}' is not in the config`);
    flattenInto(out, key, v);
  }
  return out;
}

export class Fingerprinter {
  private readonly codeGraph: CodeGraph;
  private readonly perNode = new Map<string, { key: string; parts: NodeParts }>();
  readonly engine: string;

  constructor(
    private readonly root: string,
    private readonly config: unknown,
    private readonly memo: HashMemo,
    cacheKeyPackages: string[],
  ) {
    this.codeGraph = new CodeGraph(root);
    // the Node major version: a new V8 may print or round numbers differently
    this.engine = [ENGINE_VERSION, `node@${process.versions.node.split('.')[0]}`, ...cacheKeyPackages.map((p) => `${p}@${packageVersion(root, p)}`)].join(';');
  }

  node(node: NodeDecl): { key: string; parts: NodeParts } {
    let entry = this.perNode.get(node.id);
    if (!entry) {
      const parts: NodeParts = {
        decl: sha256(canonicalJson(node, 0)),
        code: this.code(node.task),
        params: flattenParams(this.config, node.params, `node '${node.id}'`),
        engine: this.engine,
      };
      entry = { key: sha256(canonicalJson(parts, 0)), parts };
      this.perNode.set(node.id, entry);
    }
    return entry;
  }

  /** Content hashes of a task module and the project files it imports, transitively. */
  code(task: string): Record<string, string> {
    const code: Record<string, string> = {};
    for (const file of this.codeGraph.closure(task)) code[file] = this.memo.hash(resolve(this.root, file)) ?? 'missing';
    return code;
  }

  /** Key parts of an instance, hashing its inputs as they are on disk now (null = absent). */
  parts(inst: Instance, resolvePath: (p: string) => string): InstanceParts {
    const inputs: Record<string, string | null> = {};
    for (const ref of inst.inputs) inputs[ref.path] = this.memo.hash(resolvePath(ref.path));
    return { nodeKey: this.node(inst.node).key, inputs, outputs: inst.outputs, ...(inst.item ? { item: inst.item.value } : {}) };
  }
}

function packageVersion(root: string, name: string): string {
  const file = resolve(root, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return 'absent';
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Why a node's instances are stale because of code, params, declaration or engine. */
export function nodeReasons(old: NodeParts | undefined, cur: NodeParts): string[] {
  if (!old) return ['node fingerprint unknown (state from an older run)'];
  const reasons: string[] = [];
  if (old.engine !== cur.engine) reasons.push(`engine changed: ${old.engine} -> ${cur.engine}`);
  if (old.decl !== cur.decl) reasons.push('declaration changed in the DAG file');
  for (const f of unionKeys(old.code, cur.code)) {
    if (old.code[f] !== cur.code[f]) reasons.push(`code changed: ${f}`);
  }
  for (const k of unionKeys(old.params, cur.params)) {
    if (canonicalJson(old.params[k] ?? null, 0) !== canonicalJson(cur.params[k] ?? null, 0)) reasons.push(`param changed: ${k}`);
  }
  return reasons;
}

/** Why an instance is stale because of its inputs or declared outputs. */
export function inputReasons(old: InstanceParts, cur: InstanceParts, describe: (path: string) => string): string[] {
  const reasons: string[] = [];
  for (const p of sameInputs(old.inputs, cur.inputs) ? [] : unionKeys(old.inputs, cur.inputs)) {
    if (!(p in cur.inputs)) reasons.push(`input removed: ${p}`);
    else if (cur.inputs[p] === null) reasons.push(`input missing: ${p}`);
    else if (old.inputs[p] !== cur.inputs[p]) reasons.push(`input changed: ${describe(p)}`);
  }
  if (old.outputs.join('\n') !== cur.outputs.join('\n')) reasons.push('outputs changed in the DAG file');
  if ((old.item !== undefined || cur.item !== undefined) && canonicalJson(old.item ?? null, 0) !== canonicalJson(cur.item ?? null, 0)) {
    const before = flattenValue(old.item);
    const after = flattenValue(cur.item);
    for (const k of unionKeys(before, after)) {
      if (canonicalJson(before[k] ?? null, 0) !== canonicalJson(after[k] ?? null, 0)) reasons.push(`fan-out element changed: ${k || '(value)'}`);
    }
  }
  return reasons;
}

/** The same paths with the same hashes (the common case, checked without sorting thousands of keys). */
function sameInputs(a: Record<string, string | null>, b: Record<string, string | null>): boolean {
  let n = 0;
  for (const k in b) {
    if (a[k] !== b[k] || b[k] === null) return false;
    n++;
  }
  return Object.keys(a).length === n;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
