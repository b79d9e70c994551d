import type { TaskContext } from '../dag/context.js';
import type { ColumnSpec, Table } from '../io/table.js';
import { concatTables, sliceTable, stringColumn } from '../io/table.js';

/**
 * Row windows for incremental (daily) runs of time-indexed tasks.
 *
 * In full mode a task reads whole inputs and writes whole outputs. In incremental mode with
 * `since`, the task reads its primary input from `since` minus (forwardRows + lookback) rows,
 * computes, and only rows dated from `since` minus forwardRows on replace those of the existing
 * artifact; older rows are kept as they are. `lookback` is the node's declared look-back (rows of
 * history each value reads); `forwardRows` covers columns that look forward (ML labels of the
 * last h rows become known when new bars arrive).
 */
export class RowWindow {
  private constructor(
    private readonly ctx: TaskContext,
    readonly table: Table,
    /** Output rows dated >= cutDate are replaced; null in full mode. */
    readonly cutDate: string | null,
  ) {}

  static async open(ctx: TaskContext, path: string, opts: { forwardRows?: number } = {}): Promise<RowWindow> {
    const table = await ctx.readTable(path);
    if (ctx.spec.mode !== 'incremental' || !ctx.spec.since) return new RowWindow(ctx, table, null);
    const dates = stringColumn(table, 'date', path);
    const sinceRow = lowerBound(dates, ctx.spec.since);
    const cutRow = Math.max(0, sinceRow - (opts.forwardRows ?? 0));
    const lookback = ctx.spec.lookback ?? 0;
    const startRow = Math.max(0, cutRow - lookback);
    const cutDate = cutRow < dates.length ? dates[cutRow] : ctx.spec.since;
    return new RowWindow(ctx, sliceTable(table, startRow), cutDate);
  }

  /** Write `table` (computed on the window) to `out`, merged with the kept rows of the old artifact. */
  async write(out: string, table: Table, schema: ColumnSpec[]): Promise<void> {
    if (this.cutDate === null) return this.ctx.writeTable(out, table, schema);
    const old = await this.ctx.readOwnTable(out);
    if (!old) throw new Error(`${this.ctx.where}: incremental run needs the existing ${out}; run the full target first`);
    const keep = lowerBound(stringColumn(old, 'date', out), this.cutDate);
    const fresh = lowerBound(stringColumn(table, 'date', out), this.cutDate);
    const merged = concatTables([pick(sliceTable(old, 0, keep), schema), pick(sliceTable(table, fresh), schema)]);
    await this.ctx.writeTable(out, merged, schema);
  }
}

function pick(table: Table, schema: ColumnSpec[]): Table {
  const columns: Table['columns'] = {};
  for (const s of schema) columns[s.name] = table.columns[s.name];
  return { length: table.length, columns };
}

/** First index whose date is >= d (dates ascending). */
export function lowerBound(dates: string[], d: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid] < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
