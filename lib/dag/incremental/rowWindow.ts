import type { TaskContext } from '../context.js';
import type { ColumnSpec, Table } from '../../io/table.js';
import { stringColumn } from '../../io/table.js';

/**
 * Row windows for incremental runs of row-wise tasks (`incremental: { kind: rows, lookback }`).
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
    if (ctx.spec.mode !== 'incremental' || !ctx.spec.since) return new RowWindow(ctx, await ctx.readTable(path), null);
    const file = await ctx.openTable(path);
    const sinceRow = await file.firstRowFrom(ctx.spec.since);
    const cutRow = Math.max(0, sinceRow - (opts.forwardRows ?? 0));
    const startRow = Math.max(0, cutRow - (ctx.spec.lookback ?? 0));
    const table = await file.read(undefined, startRow);
    const dates = stringColumn(table, 'date', path);
    const cutDate = cutRow < file.length ? dates[cutRow - startRow] : ctx.spec.since;
    return new RowWindow(ctx, table, cutDate);
  }

  /**
   * In incremental mode the date of the window's first row: other inputs aligned to the window
   * by date need only their rows from it on. Undefined in full mode (read every row).
   */
  get from(): string | undefined {
    return this.cutDate === null ? undefined : (this.table.columns.date as string[])[0];
  }

  /** Write `table` (computed on the window) to `out`, in place of the old artifact's rows from the cut date. */
  async write(out: string, table: Table, schema: ColumnSpec[]): Promise<void> {
    if (this.cutDate === null) return this.ctx.writeTable(out, table, schema);
    await this.ctx.spliceOwnTable(out, this.cutDate, table, schema);
  }
}
