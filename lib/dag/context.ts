import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tempPathFor, writeFileDurable } from '../io/atomic.js';
import { appendLedger, ledgerPath, type LedgerEntry } from './ledger.js';
import { sha256 } from './hashMemo.js';
import { replaceDir } from '../io/replaceDir.js';
import { canonicalJson } from '../io/canonicalJson.js';
import { lowerBound, sliceTable, stringColumn, type ColumnSpec, type Table } from '../io/table.js';
import type { ParquetFile } from '../io/parquet.js';
import type { InputRef } from './plan.js';
import { getKey } from './template.js';
import { namingPath } from './errorText.js';
import { diffRows, mergeRowChanges, type RowChange } from './incremental/rowChange.js';
import { RowWindow } from './incremental/rowWindow.js';

/** What a worker needs to run one task instance (plain data: it crosses a thread boundary). */
export interface TaskSpec {
  workdir: string;
  node: string;
  ticker?: string;
  /** The list fan-out element of this instance (`fanout:` in the DAG file). */
  item?: { key: string; value: unknown };
  tickers: string[];
  params: Record<string, unknown>;
  paramKeys: string[];
  inputs: InputRef[];
  outputs: string[];
  outputTickers: (string | undefined)[];
  mode: 'full' | 'incremental';
  since?: string;
  /**
   * The node's declared incremental kind (`incremental.kind` in the DAG file, spec.ts), if any;
   * spelled out here so that task modules' code closures do not include the DAG file's schema.
   */
  incremental?: 'source' | 'rows' | 'carry' | 'earliest';
  /** Rows of look-back of a `rows` node (`incremental.lookback`). */
  lookback?: number;
  /** The ledger of files dag wrote (ledger.ts): a commit appends its files there first. */
  ledger?: string;
  /** Content hash of each declared input as the runner found it for the cache key (null: absent). */
  inputHashes?: Record<string, string | null>;
}

/**
 * Task outputs are staged and renamed but not fsync'ed: a daily run over 500 tickers writes about
 * 3,000 files, and their fsyncs took 4.3 of the workers' 29 CPU seconds. Durability comes from
 * the content hashes instead: a file a crash left with other bytes than its record no longer
 * matches it and is rebuilt.
 */
const FSYNC_OUTPUTS = false;

/**
 * The only door a task has to the world: declared params, declared inputs, declared outputs.
 * Reading an undeclared param is an error because the cache key would not cover it; outputs are
 * staged beside their final path and renamed into place only when the whole task succeeded, so
 * a failed or killed task never leaves a half-written (or half-updated) set of artifacts.
 */
export class TaskContext {
  private readonly staged = new Map<string, string>();
  private readonly stagedDirs = new Map<string, string>();
  /** Content hash of every staged file by its final path, for the ledger. */
  private readonly stagedHashes = new Map<string, string>();
  /**
   * The output files the commit moved into place (absolute path -> content hash and size): the
   * runner records these hashes instead of reading every output again.
   */
  readonly written: Record<string, { hash: string; size: number }> = {};
  private readonly stagedSizes = new Map<string, number>();
  readonly logs: string[] = [];
  /** What the task reported to its caller (see `report`). */
  private ownReport?: Record<string, unknown>;
  /** A `source` node: how the tables it wrote changed from their previous versions, and their last date. */
  private tableChange?: RowChange & { last?: string };

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
    const key = this.spec.ticker ?? this.spec.item?.key;
    return key === undefined ? this.spec.node : `${this.spec.node}[${key}]`;
  }

  /** Element of a list fan-out instance (an error for other instances). */
  requireItem<T = unknown>(): { key: string; value: T } {
    if (this.spec.item === undefined) throw new Error(`${this.where}: this task must be declared with a fanout`);
    return this.spec.item as { key: string; value: T };
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

  /**
   * Plain data for whoever runs the pipeline (it appears as the instance's `report` in the run
   * summary): e.g. how an artifact changed, so a caller can decide what to recompute.
   */
  report(value: Record<string, unknown>): void {
    this.ownReport = value;
  }

  /**
   * What goes back to the caller: the task's report and, for a `source` node, how its tables
   * changed (`since`, `restated` or `full`, and `last`), which incremental runs start from.
   */
  get reported(): Record<string, unknown> | undefined {
    if (!this.tableChange) return this.ownReport;
    return { ...this.ownReport, ...this.tableChange };
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

  /** Path of the single declared output for a ticker (undefined: outputs without a ticker) and suffix. */
  output(ticker?: string, suffix?: string): string {
    const found = this.spec.outputs.filter((p, i) => (this.spec.outputTickers[i] ?? this.spec.ticker) === ticker && (suffix === undefined || p.endsWith(suffix)));
    if (found.length !== 1) throw new Error(`${this.where}: expected one output${ticker ? ` for ${ticker}` : ''}${suffix ? ` ending '${suffix}'` : ''}, found ${found.length}`);
    return found[0];
  }

  private checkInput(path: string): string {
    const declared = this.spec.inputs.some((r) => r.path === path || (r.path.endsWith('/') && path.startsWith(r.path) && !path.includes('..')));
    if (!declared) throw new Error(`${this.where}: '${path}' is not a declared input`);
    return resolve(this.spec.workdir, path);
  }

  /**
   * The content hash of a declared input file, the one this instance's cache key was made from
   * (a task naming its sources need not read them again).
   */
  inputHash(path: string): string {
    this.checkInput(path);
    const hash = this.spec.inputHashes?.[path];
    if (typeof hash !== 'string') throw new Error(`${this.where}: no content hash of input '${path}' was passed to the task`);
    return hash;
  }

  exists(path: string): boolean {
    return existsSync(this.checkInput(path));
  }

  readBytes(path: string): Uint8Array {
    const abs = this.checkInput(path);
    return namingPath(abs, () => readFileSync(abs));
  }

  readText(path: string): string {
    const abs = this.checkInput(path);
    return namingPath(abs, () => readFileSync(abs, 'utf8'));
  }

  /**
   * A declared parquet input; `columns` limits decoding to those (and `date`), `from` to the rows
   * dated from it on (the daily runs read only the rows they need).
   */
  async readTable(path: string, columns?: string[], from?: string): Promise<Table> {
    const { ParquetFile } = await parquet();
    const file = ParquetFile.open(this.readBytes(path), path);
    return file.read(columns, from === undefined ? 0 : await file.firstRowFrom(from));
  }

  /**
   * A declared table input's rows for a row-wise node (`incremental: { kind: rows }`): in an
   * incremental run from `since` minus the declared look-back (and `forwardRows`), in full mode
   * all of them; its `write` replaces the output's rows from the cut date, or writes it whole.
   */
  rowWindow(path: string, opts: { forwardRows?: number } = {}): Promise<RowWindow> {
    return RowWindow.open(this, path, opts);
  }

  /** A declared parquet input, opened: its footer read, its rows read on demand. */
  async openTable(path: string): Promise<ParquetFile> {
    const { ParquetFile } = await parquet();
    return ParquetFile.open(this.readBytes(path), path);
  }

  /** Current content of one of this task's own outputs (incremental runs extend it). */
  async readOwnTable(path: string): Promise<Table | null> {
    const bytes = this.readOwnBytes(path);
    const { decodeParquet } = await parquet();
    return bytes ? decodeParquet(bytes, path) : null;
  }

  /** One of this task's own parquet outputs as it is before this (incremental) run: footer read, rows on demand. */
  async openOwnTable(path: string): Promise<ParquetFile> {
    const bytes = this.readOwnBytes(path);
    if (!bytes) throw new Error(`${this.where}: incremental run needs the existing ${path}; run the full target first`);
    const { ParquetFile } = await parquet();
    return ParquetFile.open(bytes, path);
  }

  /**
   * Replace the rows dated from `cutDate` on of one of this task's own parquet outputs by
   * `table`'s rows from that date: the kept row groups are copied, not re-encoded, and the
   * result has the bytes a full write of the same rows would have.
   */
  async spliceOwnTable(path: string, cutDate: string, table: Table, schema: ColumnSpec[]): Promise<void> {
    const old = await this.openOwnTable(path);
    const { spliceParquet } = await parquet();
    const keep = await old.firstRowFrom(cutDate);
    const tail = sliceTable(table, lowerBound(stringColumn(table, 'date', path), cutDate));
    this.writeBytes(path, await spliceParquet(old, keep, tail, schema, `${this.where}: ${path}`));
  }

  /** Current text of one of this task's own outputs, or null (incremental runs continue from it). */
  readOwnText(path: string): string | null {
    const bytes = this.readOwnBytes(path);
    return bytes ? new TextDecoder().decode(bytes) : null;
  }

  /** Current bytes of one of this task's own outputs, or null. */
  readOwnBytes(path: string): Uint8Array | null {
    const abs = this.checkOutput(path).final;
    return existsSync(abs) ? readFileSync(abs) : null;
  }

  /**
   * A declared output file, or a file inside a declared directory output (a path ending in
   * '/': the task decides the file names, e.g. one model per walk-forward fold).
   */
  private checkOutput(path: string): { final: string; dir?: string } {
    if (this.spec.outputs.includes(path)) return { final: resolve(this.spec.workdir, path) };
    const dir = this.spec.outputs.find((o) => o.endsWith('/') && path.startsWith(o) && !path.slice(o.length).split('/').includes('..'));
    if (dir) return { final: resolve(this.spec.workdir, path), dir };
    throw new Error(`${this.where}: '${path}' is not a declared output (declared: ${this.spec.outputs.join(', ')})`);
  }


  writeBytes(path: string, data: Uint8Array | string): void {
    const { final, dir } = this.checkOutput(path);
    let target: string;
    if (dir) {
      // a directory output is staged as a whole and swapped in at commit
      const absDir = resolve(this.spec.workdir, dir);
      let stage = this.stagedDirs.get(absDir);
      if (!stage) {
        stage = tempPathFor(absDir);
        mkdirSync(stage, { recursive: true });
        this.stagedDirs.set(absDir, stage);
      }
      target = join(stage, final.slice(absDir.length + 1));
      mkdirSync(dirname(target), { recursive: true });
      writeFileDurable(target, data, FSYNC_OUTPUTS, path);
      this.stagedHashes.set(final, sha256(data));
      return;
    }
    const previous = this.staged.get(final);
    if (previous) rmSync(previous, { force: true });
    target = tempPathFor(final);
    writeFileDurable(target, data, FSYNC_OUTPUTS, path);
    this.staged.set(final, target);
    this.stagedHashes.set(final, sha256(data));
    this.stagedSizes.set(final, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
  }

  /** Bytes this task has already written to an output in this run (not yet committed). */
  readStagedBytes(path: string): Uint8Array {
    const { final, dir } = this.checkOutput(path);
    if (dir) {
      const stage = this.stagedDirs.get(resolve(this.spec.workdir, dir));
      if (stage) return readFileSync(join(stage, final.slice(resolve(this.spec.workdir, dir).length + 1)));
    } else if (this.staged.has(final)) return readFileSync(this.staged.get(final)!);
    throw new Error(`${this.where}: '${path}' has not been written in this run`);
  }

  writeJson(path: string, value: unknown): void {
    this.writeBytes(path, canonicalJson(value));
  }

  async writeTable(path: string, table: Table, schema: ColumnSpec[]): Promise<void> {
    const { encodeParquet } = await parquet();
    // compared before the write: the old file is still in place until commit
    if (this.spec.incremental === 'source') this.noteTableChange(diffRows(await this.readOwnTable(path), table), table);
    this.writeBytes(path, encodeParquet(table, schema, `${this.where}: ${path}`));
  }

  private noteTableChange(change: RowChange, table: Table): void {
    const dates = table.columns.date as string[] | undefined;
    const last = dates?.at(-1);
    const before = this.tableChange;
    const merged = before ? mergeRowChanges(before, change) : change;
    const lastOf = before?.last === undefined ? last : last === undefined || before.last > last ? before.last : last;
    this.tableChange = { ...merged, ...(lastOf !== undefined ? { last: lastOf } : {}) };
  }

  /** Move every staged output into place; an output the task did not write is an error. */
  commit(): void {
    const written = (p: string) => (p.endsWith('/') ? this.stagedDirs : this.staged).has(resolve(this.spec.workdir, p));
    const missing = this.spec.outputs.filter((p) => !written(p));
    if (missing.length) {
      this.abort();
      throw new Error(`${this.where}: the task did not write its declared output(s): ${missing.join(', ')}`);
    }
    if (this.spec.ledger) {
      const entries: LedgerEntry[] = [...this.stagedHashes].map(([final, hash]) => ({ path: ledgerPath(this.spec.workdir, final), hash }));
      appendLedger(this.spec.ledger, entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
    }
    for (const [final, tmp] of this.staged) {
      renameSync(tmp, final);
      this.written[final] = { hash: this.stagedHashes.get(final)!, size: this.stagedSizes.get(final)! };
    }
    for (const [dir, tmp] of this.stagedDirs) replaceDir(dir, tmp);
    this.staged.clear();
    this.stagedDirs.clear();
    this.stagedHashes.clear();
    this.stagedSizes.clear();
  }

  abort(): void {
    for (const tmp of [...this.staged.values(), ...this.stagedDirs.values()]) rmSync(tmp, { recursive: true, force: true });
    this.staged.clear();
    this.stagedDirs.clear();
    this.stagedHashes.clear();
    this.stagedSizes.clear();
  }
}

// parquet support is loaded on first use: a no-op run never needs it
export const parquet = () => import('../io/parquet.js');

export type TaskFunction = (ctx: TaskContext) => Promise<void> | void;
