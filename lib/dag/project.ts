import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDagFile, type LoadedDag, type TargetDecl } from './spec.js';
import { buildPlan, type Plan } from './plan.js';
import { HashMemo } from './hashMemo.js';
import { Fingerprinter } from './fingerprint.js';
import { StateStore } from './state.js';
import { taskModulePath } from './loadTask.js';
import { UserError } from './errors.js';
import { readYamlFile } from './yamlFile.js';
import { getKey } from './template.js';
import { loadDerivers, type Deriver } from './fanout.js';

export interface ProjectOptions {
  dagFile: string;
  /** Settings file; default: the DAG file's `config.file`. */
  configFile?: string;
  /** Folder that relative artifact and data paths resolve against; default: the DAG file's folder. */
  workdir?: string;
}

/** A loaded DAG with its validated config, expanded plan, cache state and fingerprinter. */
export interface Project {
  dag: LoadedDag;
  configFile: string;
  config: unknown;
  plan: Plan;
  /** The DAG's `fanout.derive` functions, by node id (loaded once; a new config re-plans with them). */
  derivers: Map<string, Deriver>;
  workdir: string;
  stateDir: string;
  memo: HashMemo;
  fingerprinter: Fingerprinter;
  state: StateStore;
  abs: (p: string) => string;
}

export async function openProject(opts: ProjectOptions): Promise<Project> {
  const dag = loadDagFile(opts.dagFile);
  const workdir = resolve(opts.workdir ?? dag.root);
  const configFile = opts.configFile ? resolve(opts.configFile) : resolve(dag.root, dag.spec.config.file);
  const config = await loadConfig(dag, configFile);
  const derivers = await loadDerivers(dag);
  const plan = buildPlan(dag, config, derivers);
  checkDeclaredParams(dag, plan, config, configFile);
  const stateDir = resolve(workdir, dag.spec.state_dir);
  const memo = new HashMemo(resolve(stateDir, 'hashes.json'));
  return {
    dag,
    configFile,
    config,
    plan,
    derivers,
    workdir,
    stateDir,
    memo,
    fingerprinter: new Fingerprinter(dag.root, config, memo, dag.spec.cache_key_packages),
    state: new StateStore(stateDir),
    abs: absolutePaths(workdir),
  };
}

/**
 * Every param a node of the plan declares is a key of the settings: the cache key is made of
 * their values. A node its `when:` leaves out may read keys these settings do not have.
 */
function checkDeclaredParams(dag: LoadedDag, plan: Plan, config: unknown, configFile: string): void {
  for (const node of new Set([...plan.instances.values()].map((i) => i.node))) {
    const missing = node.params.find((key) => getKey(config, key) === undefined);
    if (missing !== undefined) throw new UserError(`${dag.file}: node '${node.id}': declared param '${missing}' is not a key of ${configFile}`);
  }
}

/**
 * The same project with another (already validated) config: the plan and the fingerprints are
 * rebuilt; the DAG, the hash memo and the run state are shared, not read again.
 */
export function withConfig(project: Project, config: unknown): Project {
  const plan = buildPlan(project.dag, config, project.derivers);
  checkDeclaredParams(project.dag, plan, config, project.configFile);
  return {
    ...project,
    config,
    plan,
    fingerprinter: new Fingerprinter(project.dag.root, config, project.memo, project.dag.spec.cache_key_packages),
  };
}

/**
 * Relative path -> absolute, memoised: a no-op run over 500 tickers resolves the same few
 * thousand input paths once per reader (about 10,000 calls), and path.resolve showed in its profile.
 */
function absolutePaths(workdir: string): (p: string) => string {
  const memo = new Map<string, string>();
  return (p) => {
    let out = memo.get(p);
    if (out === undefined) {
      // a trailing '/' marks a directory output and must survive path resolution
      out = resolve(workdir, p) + (p.endsWith('/') ? '/' : '');
      memo.set(p, out);
    }
    return out;
  };
}

async function loadConfig(dag: LoadedDag, file: string): Promise<unknown> {
  if (!existsSync(file)) throw new UserError(`${file}: config file not found`);
  if (dag.spec.config.loader) {
    const mod = (await import(pathToFileURL(taskModulePath(dag.root, dag.spec.compiled_dir, dag.spec.config.loader)).href)) as {
      loadConfig?: (path: string) => unknown;
    };
    if (typeof mod.loadConfig !== 'function') throw new UserError(`${dag.spec.config.loader}: must export loadConfig(path)`);
    return mod.loadConfig(file);
  }
  return readYamlFile(file);
}

/** Node ids a target names: a declared target, or a node id. */
export function targetNodes(project: Project, target: string): string[] {
  return targetDecl(project, target).nodes;
}

/** A declared target, or a node id as a full-mode target of that node. */
export function targetDecl(project: Project, target: string): TargetDecl {
  const named = project.dag.spec.targets[target];
  if (named) return named;
  if (project.dag.nodes.has(target)) return { nodes: [target], mode: 'full', exclude: [] };
  const choices = [...new Set([...Object.keys(project.dag.spec.targets), ...project.dag.nodes.keys()])].join(', ');
  throw new UserError(`unknown target '${target}' (targets and nodes: ${choices})`);
}
