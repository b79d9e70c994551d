import type { TaskContext } from '../lib/dag/context.js';
import { parseRawCsv } from '../lib/market/data/parse-raw.js';
import { barsToTable, BARS_SCHEMA } from '../lib/pipeline/frames.js';
import { readRawParquetRecords } from '../lib/pipeline/rawParquet.js';
import { buildBars } from '../lib/market/data/build-bars.js';
import { diffBars } from '../lib/pipeline/barChange.js';

/** Node `processed`: raw bars (CSV or parquet, any supported layout) to canonical adjusted bars. */
export default async function preprocess(ctx: TaskContext): Promise<void> {
  const ticker = ctx.requireTicker();
  const raw = ctx.inputs().find((r) => r.producer === undefined || r.node === undefined)!.path;
  if (!ctx.exists(raw)) {
    throw new Error(`no raw data for ticker ${ticker}: ${raw} does not exist (data.source is csv: put the file there, or change paths.raw)`);
  }
  const onBadRows = ctx.param<'error' | 'drop'>('data.on_bad_rows');
  const built = raw.endsWith('.parquet')
    ? buildBars(await readRawParquetRecords(ctx.readBytes(raw), raw), { file: raw, ticker, onBadRows })
    : parseRawCsv(ctx.readText(raw), { file: raw, ticker, onBadRows });
  const out = ctx.output(ticker, '.parquet');
  const table = barsToTable(built.bars, ticker);
  // how the bars changed since the last run: daily mode recomputes from there (or restates)
  const change = diffBars(await ctx.readOwnTable(out), table);
  await ctx.writeTable(out, table, BARS_SCHEMA);
  ctx.report({ ...change, last: (table.columns.date as string[]).at(-1) });
  ctx.writeJson(ctx.output(ticker, '.dq.json'), built.dq);
  if (built.dq.dropped > 0) ctx.log(`dropped ${built.dq.dropped} bad rows (see ${ctx.output(ticker, '.dq.json')})`);
}
