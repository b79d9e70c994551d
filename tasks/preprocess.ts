import type { TaskContext } from '../lib/dag/context.js';
import { parseRawCsv } from '../lib/market/data/parse-raw.js';
import { barsToTable, BARS_SCHEMA } from '../lib/pipeline/frames.js';
import { readRawParquetRecords } from '../lib/pipeline/rawParquet.js';
import { buildBars, type BadRowPolicy, type BuildBarsOptions } from '../lib/market/data/build-bars.js';

/** Node `processed`: raw bars (CSV or parquet, any supported layout) to canonical adjusted bars. */
export default async function preprocess(ctx: TaskContext): Promise<void> {
  const ticker = ctx.requireTicker();
  const raw = ctx.inputs().find((r) => r.producer === undefined || r.node === undefined)!.path;
  if (!ctx.exists(raw)) {
    throw new Error(`no raw data for ticker ${ticker}: ${raw} does not exist (data.source is csv: put the file there, or change paths.raw)`);
  }
  const opts: BuildBarsOptions = {
    file: raw,
    ticker,
    onBadRows: ctx.param<BadRowPolicy>('data.on_bad_rows'),
    maxDropShare: ctx.param<number>('data.max_drop_share'),
    maxGapDays: ctx.param<number>('data.max_gap_days'),
    onGap: ctx.param<BadRowPolicy>('data.on_gap'),
    maxDailyMove: ctx.param<number>('data.max_daily_move'),
  };
  const built = raw.endsWith('.parquet') ? buildBars(await readRawParquetRecords(ctx.readBytes(raw), raw), opts) : parseRawCsv(ctx.readText(raw), opts);
  const out = ctx.output(ticker, '.parquet');
  const table = barsToTable(built.bars, ticker);
  // the node is declared `incremental: { kind: source }`: the write compares the bars with the
  // previous ones and reports how they changed, which incremental runs start from
  await ctx.writeTable(out, table, BARS_SCHEMA);
  const restated = ctx.reported?.restated;
  if (restated) ctx.log(`warning: ${ticker}: restated bar on ${restated as string} (an existing row changed): ${ticker}'s chain is rebuilt in full`);
  const dqPath = ctx.output(ticker, '.dq.json');
  ctx.writeJson(dqPath, built.dq);
  if (built.newestFirst) ctx.log(`${raw} lists its rows newest first: read in date order`);
  const badRows = built.dq.dropped - built.droppedBeforeGap;
  if (badRows > 0) ctx.log(`dropped ${badRows} bad rows (see ${dqPath})`);
  for (const f of built.dq.findings.filter((x) => x.kind === 'long_gap')) ctx.log(`warning: ${raw}:${f.line}: ${f.date}: ${f.message} (data.on_gap: drop; see ${dqPath})`);
}
