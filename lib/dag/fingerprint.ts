import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { canonicalJson } from '../io/canonicalJson.js';
import type { NodeDecl } from './spec.js';
import type { Instance } from './plan.js';
import { CodeGraph } from './codeGraph.js';
import { HashMemo, sha256 } from './hashMemo.js';
import { getKey } from './template.js';
import { UserError } from './errors.js';

/** Everything a task instance's result may depend on; the cache key is its hash. */
export interface KeyParts {
  decl: string;
  code: Record<string, string>;
  params: Record<string, unknown>;
  inputs: Record<string, string | null>;
  outputs: string[];
  engine: string;
}

export const ENGINE_VERSION = 'dag-engine/1';

export function cacheKey(parts: KeyParts): string {
  return sha256(canonicalJson(parts, 0));
}

/** Declared params as leaf key paths -> values, so a change is reported at the leaf that changed. */
export function flattenParams(config: unknown, keys: string[], where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (path: string, v: unknown): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) out[path] = {};
      for (const [k, sub] of entries) walk(`${path}.${k}`, sub);
    } else out[path] = v ?? null;
  };
  for (const key of keys) {
    const v = getKey(config, key);
    if (v === undefined) throw new UserError(`${where}: declared param '${key}' is not in the config`);
    walk(key, v);
  }
  return out;
}

export class Fingerprinter {
  private readonly codeGraph: CodeGraph;
  private readonly perNode = new Map<string, { decl: string; code: Record<string, string>; params: Record<string, unknown> }>();
  readonly engine: string;

  constructor(
    private readonly root: string,
    private readonly config: unknown,
    private readonly memo: HashMemo,
    cacheKeyPackages: string[],
  ) {
    this.codeGraph = new CodeGraph(root);
    this.engine = [ENGINE_VERSION, ...cacheKeyPackages.map((p) => `${p}@${packageVersion(root, p)}`)].join(';');
  }

  private nodeParts(node: NodeDecl) {
    let parts = this.perNode.get(node.id);
    if (!parts) {
      const code: Record<string, string> = {};
      for (const file of this.codeGraph.closure(node.task)) code[file] = this.memo.hash(resolve(this.root, file)) ?? 'missing';
      parts = {
        decl: sha256(canonicalJson(node, 0)),
        code,
        params: flattenParams(this.config, node.params, `node '${node.id}'`),
      };
      this.perNode.set(node.id, parts);
    }
    return parts;
  }

  /** Key parts of an instance, hashing its inputs as they are on disk now (null = absent). */
  parts(inst: Instance, resolvePath: (p: string) => string): KeyParts {
    const { decl, code, params } = this.nodeParts(inst.node);
    const inputs: Record<string, string | null> = {};
    for (const ref of inst.inputs) inputs[ref.path] = this.memo.hash(resolvePath(ref.path));
    return { decl, code, params, inputs, outputs: inst.outputs, engine: this.engine };
  }
}

function packageVersion(root: string, name: string): string {
  const file = resolve(root, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return 'absent';
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Why an instance with stored parts `old` is stale against `cur` (empty = not stale by key). */
export function staleReasons(old: KeyParts, cur: KeyParts): string[] {
  const reasons: string[] = [];
  if (old.engine !== cur.engine) reasons.push(`engine changed: ${old.engine} -> ${cur.engine}`);
  if (old.decl !== cur.decl) reasons.push('declaration changed in the DAG file');
  for (const f of unionKeys(old.code, cur.code)) {
    if (old.code[f] !== cur.code[f]) reasons.push(`code changed: ${f}`);
  }
  for (const k of unionKeys(old.params, cur.params)) {
    if (canonicalJson(old.params[k] ?? null, 0) !== canonicalJson(cur.params[k] ?? null, 0)) reasons.push(`param changed: ${k}`);
  }
  for (const p of unionKeys(old.inputs, cur.inputs)) {
    if (!(p in cur.inputs)) reasons.push(`input removed: ${p}`);
    else if (cur.inputs[p] === null) reasons.push(`input missing: ${p}`);
    else if (old.inputs[p] !== cur.inputs[p]) reasons.push(`input changed: ${p}`);
  }
  if (canonicalJson(old.outputs, 0) !== canonicalJson(cur.outputs, 0)) reasons.push('outputs changed in the DAG file');
  return reasons;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
