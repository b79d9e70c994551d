import { readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { tempPathFor, writeFileDurable } from '../io/atomic.js';
import { canonicalJson } from '../io/canonicalJson.js';
import { decodeParquet, encodeParquet } from '../io/parquet.js';
import type { ColumnSpec, Table } from '../io/table.js';
import type { InputRef } from './plan.js';
import { getKey } from './template.js';

/** What a worker needs to run one task instance (plain data: it crosses a thread boundary). */
export interface TaskSpec {
  workdir: string;
  node: string;
  ticker?: string;
  tickers: string[];
  params: Record<string, unknown>;
  paramKeys: string[];
  inputs: InputRef[];
  outputs: string[];
  outputTickers: (string | undefined)[];
  mode: 'full' | 'incremental';
  since?: string;
  lookback?: number;
}

/**
 * The only door a task has to the world: declared params, declared inputs, declared outputs.
 * Reading an undeclared param is an error because the cache key would not cover it; outputs are
 * staged beside their final path and renamed into place only when the whole task succeeded, so
 * a failed or killed task never leaves a half-written (or half-updated) set of artifacts.
 */
export class TaskContext {
  private readonly staged = new Map<string, string>();
  readonly logs: string[] = [];

  constructor(readonly spec: TaskSpec) {}

  get node(): string {
    return this.spec.node;
  }

  get ticker(): string | undefined {
    return this.spec.ticker;
  }

  get tickers(): string[] {
    return this.spec.tickers;
  }

  get where(): string {
    return this.spec.ticker === undefined ? this.spec.node : `${this.spec.node}[${this.spec.ticker}]`;
  }

  /** Ticker of a per-ticker instance (an error for single instances). */
  requireTicker(): string {
    if (this.spec.ticker === undefined) throw new Error(`${this.where}: this task must be declared per_ticker`);
    return this.spec.ticker;
  }

  param<T = unknown>(key: string): T {
    const declared = this.spec.paramKeys.find((k) => key === k || key.startsWith(`${k}.`));
    if (!declared) {
      throw new Error(`${this.where}: param '${key}' is not declared in the node's params (declared: ${this.spec.paramKeys.join(', ') || 'none'})`);
    }
    const v = getKey(this.spec.params, key);
    if (v === undefined) throw new Error(`${this.where}: param '${key}' is not set`);
    return v as T;
  }

  log(message: string): void {
    this.logs.push(message);
  }

  /** Declared inputs, optionally only those from one node (and ticker). */
  inputs(node?: string, ticker?: string): InputRef[] {
    return this.spec.inputs.filter((r) => (node === undefined || r.node === node) && (ticker === undefined || r.ticker === ticker));
  }

  /** Path of the single declared input matching a predicate on its path or node/ticker. */
  input(node: string, ticker?: string, suffix?: string): string {
    const found = this.inputs(node, ticker).filter((r) => suffix === undefined || r.path.endsWith(suffix));
    if (found.length !== 1) {
      throw new Error(`${this.where}: expected one input from '${node}'${ticker ? ` for ${ticker}` : ''}${suffix ? ` ending '${suffix}'` : ''}, found ${found.length}`);
    }
    return found[0].path;
  }

  private checkInput(path: string): string {
    if (!this.spec.inputs.some((r) => r.path === path)) throw new Error(`${this.where}: '${path}' is not a declared input`);
    return resolve(this.spec.workdir, path);
  }

  exists(path: string): boolean {
    return existsSync(this.checkInput(path));
  }

  readBytes(path: string): Uint8Array {
    return readFileSync(this.checkInput(path));
  }

  readText(path: string): string {
    return readFileSync(this.checkInput(path), 'utf8');
  }

  async readTable(path: string): Promise<Table> {
    return decodeParquet(this.readBytes(path), path);
  }

  /** Current content of one of this task's own outputs (incremental runs extend it). */
  async readOwnTable(path: string): Promise<Table | null> {
    this.checkOutput(path);
    const abs = resolve(this.spec.workdir, path);
    return existsSync(abs) ? decodeParquet(readFileSync(abs), path) : null;
  }

  private checkOutput(path: string): string {
    if (!this.spec.outputs.includes(path)) {
      throw new Error(`${this.where}: '${path}' is not a declared output (declared: ${this.spec.outputs.join(', ')})`);
    }
    return resolve(this.spec.workdir, path);
  }

  writeBytes(path: string, data: Uint8Array | string): void {
    const final = this.checkOutput(path);
    const previous = this.staged.get(final);
    if (previous) rmSync(previous, { force: true });
    const tmp = tempPathFor(final);
    writeFileDurable(tmp, data);
    this.staged.set(final, tmp);
  }

  writeJson(path: string, value: unknown): void {
    this.writeBytes(path, canonicalJson(value));
  }

  writeTable(path: string, table: Table, schema: ColumnSpec[]): void {
    this.writeBytes(path, encodeParquet(table, schema, `${this.where}: ${path}`));
  }

  /** Move every staged output into place; an output the task did not write is an error. */
  commit(): void {
    const missing = this.spec.outputs.filter((p) => !this.staged.has(resolve(this.spec.workdir, p)));
    if (missing.length) {
      this.abort();
      throw new Error(`${this.where}: the task did not write its declared output(s): ${missing.join(', ')}`);
    }
    for (const [final, tmp] of this.staged) renameSync(tmp, final);
    this.staged.clear();
  }

  abort(): void {
    for (const tmp of this.staged.values()) rmSync(tmp, { force: true });
    this.staged.clear();
  }
}

export type TaskFunction = (ctx: TaskContext) => Promise<void> | void;
