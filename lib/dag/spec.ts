import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from './errors.js';
import { objectKeysAt } from './zodIssues.js';
import { readYamlFile, validateWith } from './yamlFile.js';
import { findCycle } from './cycle.js';

/** An input: a file path template, or the outputs of another node. */
const inputSchema = z.union([
  z.string().min(1),
  z.strictObject({
    node: z.string().min(1),
    /** For a fanned-out upstream node: `same` (default when both fan out), `all`, or a template such as `{benchmark}`. */
    ticker: z.string().min(1).optional(),
  }),
]);

/**
 * A node that fans out over a list: one instance per element. `over` names a config key holding
 * the list; `derive` names a module whose default export computes the list from the config keys
 * listed in `from` (and only those: it sees nothing else). An element is a string or number (its
 * key is itself), or an object with a string `key`; the key names the instance and fills `{item}`
 * in templates, the whole element joins the instance's cache key.
 */
const fanoutSchema = z.union([
  z.strictObject({ over: z.string().min(1) }),
  z.strictObject({ derive: z.string().min(1), from: z.array(z.string().min(1)).min(1) }),
]);

/**
 * How a node's instance can be updated when its inputs gained rows (docs/orchestrator.md,
 * "Incremental runs"). Tables are indexed by their `date` column (the only index the table layer
 * reads by today). Absent: the node always runs in full.
 * - `source`: runs in full, and each table it writes is compared with its previous version: new
 *   rows from a date, a restated (changed) row, or nothing; that is where the first changed date
 *   of everything downstream comes from;
 * - `rows`: row-wise; a value dated t reads at most `lookback` earlier rows: the task reads from
 *   `since` minus `lookback` rows and replaces its rows from `since`;
 * - `carry`: continues from state it stored with its outputs (a filter), from `since`;
 * - `earliest`: several inputs (a node over all tickers): recomputes from the earliest changed
 *   date of any of them.
 */
const indexSchema = z.literal('date', { error: "only 'date' is supported (tables are read by their date column)" }).default('date');
const incrementalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('source'), index: indexSchema }),
  z.strictObject({ kind: z.literal('rows'), index: indexSchema, lookback: z.number().int().nonnegative() }),
  z.strictObject({ kind: z.literal('carry'), index: indexSchema }),
  z.strictObject({ kind: z.literal('earliest'), index: indexSchema }),
], { error: (iss) => (iss.code === 'invalid_union' ? "expected kind: source, rows, carry or earliest" : undefined) });

const nodeSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits and _'),
  task: z.string().min(1),
  description: z.string().min(1),
  per_ticker: z.boolean().default(false),
  /**
   * Config key of the list `{ticker}` ranges over in this node (its instances when per_ticker,
   * its `{ticker}` paths otherwise); default: the DAG's `fanout` list. For data a per-ticker
   * node needs beyond the DAG's list (an untraded benchmark's bars, say).
   */
  ticker_list: z.string().min(1).optional(),
  fanout: fanoutSchema.optional(),
  /** Run the node only when every listed config key has the given value. */
  when: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  inputs: z.array(inputSchema).default([]),
  outputs: z.array(z.string().min(1)).min(1),
  params: z.array(z.string().min(1)).default([]),
  /** How the node can be updated incrementally (absent: always in full). */
  incremental: incrementalSchema.optional(),
  /** Output columns that look forward in time by design (excluded from the look-ahead audit). */
  forward_looking: z.array(z.string()).default([]),
  /** Run in the main thread instead of a worker (for trivial or I/O-only tasks). */
  in_process: z.boolean().default(false),
});

/**
 * A target: the nodes it builds (with everything upstream), and how. `mode: incremental` runs
 * the nodes declared `incremental` from their first changed date; `exclude` names nodes whose
 * existing outputs are used as they are (never run by this target); `hooks` names a module the
 * target calls before and after its run (preconditions, options of the pipeline's own).
 */
const targetObjectSchema = z.strictObject({
  nodes: z.array(z.string().min(1)).min(1),
  mode: z.enum(['full', 'incremental'], { error: 'expected full or incremental' }).default('full'),
  exclude: z.array(z.string().min(1)).default([]),
  hooks: z.string().min(1).optional(),
});
/** The short form `name: [node, ...]` is a full-mode target. */
const targetSchema = z.preprocess((v) => (Array.isArray(v) ? { nodes: v } : v), targetObjectSchema);

export const dagFileSchema = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  config: z.strictObject({
    file: z.string().min(1),
    /** Module exporting `loadConfig(path): object` that validates the settings file. */
    loader: z.string().optional(),
  }),
  /** Config key holding the list a per-ticker node fans out over. */
  fanout: z.string().min(1),
  /** Where `.ts` task modules are compiled to (the runner imports compiled JavaScript). */
  compiled_dir: z.string().default('dist'),
  /** The runner's own state (records, hash memo, lock, run logs), relative to the work folder. */
  state_dir: z.string().default('artifacts/.dag'),
  /** Packages whose installed version joins every cache key (their output bytes may change). */
  cache_key_packages: z.array(z.string()).default([]),
  targets: z.record(z.string(), targetSchema).default({}),
  /** The target `dag audit lookahead` checks when given none (a target or a node). */
  default_target: z.string().min(1).optional(),
  nodes: z.array(nodeSchema).min(1),
});

export type DagFile = z.infer<typeof dagFileSchema>;
export type NodeDecl = z.infer<typeof nodeSchema>;
export type InputDecl = z.infer<typeof inputSchema>;
export type FanoutDecl = z.infer<typeof fanoutSchema>;
export type IncrementalDecl = z.infer<typeof incrementalSchema>;
export type TargetDecl = z.infer<typeof targetObjectSchema>;

export interface LoadedDag {
  file: string;
  root: string;
  spec: DagFile;
  nodes: Map<string, NodeDecl>;
}

export function loadDagFile(file: string): LoadedDag {
  if (!existsSync(file)) throw new UserError(`${file}: DAG file not found`);
  const spec = validateWith(dagFileSchema, readYamlFile(file), file, (path) =>
    // node entries share one schema whatever their index
    path[0] === 'nodes' ? objectKeysAt(nodeSchema, path.slice(2)) : path[0] === 'targets' ? objectKeysAt(targetObjectSchema, path.slice(2)) : objectKeysAt(dagFileSchema, path));
  const root = dirname(resolve(file));
  return { file, root, spec, nodes: validateNodes(file, root, spec) };
}

function validateNodes(file: string, root: string, spec: DagFile): Map<string, NodeDecl> {
  const nodes = new Map<string, NodeDecl>();
  for (const node of spec.nodes) {
    if (nodes.has(node.id)) throw new UserError(`${file}: node '${node.id}' is declared twice`);
    nodes.set(node.id, node);
  }
  const outputs = new Map<string, string>();
  for (const node of spec.nodes) {
    if (!existsSync(resolve(root, node.task))) {
      throw new UserError(`${file}: node '${node.id}': task module '${node.task}' not found`);
    }
    if (node.fanout && node.per_ticker) {
      throw new UserError(`${file}: node '${node.id}': per_ticker and fanout cannot be combined (fan out over a derived list of pairs instead)`);
    }
    if (node.fanout && 'derive' in node.fanout && !existsSync(resolve(root, node.fanout.derive))) {
      throw new UserError(`${file}: node '${node.id}': fan-out module '${node.fanout.derive}' not found`);
    }
    for (const out of node.outputs) {
      const other = outputs.get(out);
      if (other !== undefined) {
        throw new UserError(`${file}: output '${out}' is declared by both '${other}' and '${node.id}'`);
      }
      outputs.set(out, node.id);
    }
    for (const input of node.inputs) {
      if (typeof input !== 'string' && !nodes.has(input.node)) {
        throw new UserError(`${file}: node '${node.id}': unknown input node '${input.node}'`);
      }
    }
  }
  for (const [name, target] of Object.entries(spec.targets)) {
    for (const id of target.nodes) {
      if (!nodes.has(id)) throw new UserError(`${file}: target '${name}' names unknown node '${id}'`);
    }
    for (const id of target.exclude) {
      if (!nodes.has(id)) throw new UserError(`${file}: targets.${name}.exclude: unknown node '${id}'`);
      if (target.nodes.includes(id)) throw new UserError(`${file}: targets.${name}: node '${id}' is both built and excluded`);
    }
    if (target.hooks && !existsSync(resolve(root, target.hooks))) {
      throw new UserError(`${file}: targets.${name}.hooks: module '${target.hooks}' not found`);
    }
  }
  if (spec.default_target !== undefined && !spec.targets[spec.default_target] && !nodes.has(spec.default_target)) {
    throw new UserError(`${file}: default_target: '${spec.default_target}' is neither a target nor a node`);
  }
  const edges = new Map<string, string[]>();
  for (const node of spec.nodes) {
    const deps = node.inputs.flatMap((i) => (typeof i === 'string' ? producersOf(i, spec) : [i.node]));
    edges.set(node.id, deps);
  }
  const cycle = findCycle([...nodes.keys()], (id) => edges.get(id) ?? []);
  if (cycle) throw new UserError(`${file}: the DAG has a cycle: ${cycle.join(' -> ')}`);
  return nodes;
}

/** Nodes whose output template is literally the given input template (declaration-level edge). */
function producersOf(template: string, spec: DagFile): string[] {
  return spec.nodes.filter((n) => n.outputs.includes(template)).map((n) => n.id);
}
