import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** First and last date of the dated toy's raw CSV files. */
export const DATED_FIRST = '2024-01-01';
export const DATED_LAST = '2024-01-30';

/**
 * A one-node dated pipeline: raw/<T>.csv (date,value, 30 days from DATED_FIRST) copied into
 * out/table/<T>.parquet, after sleeping `sleep_ms` (so a test can catch it running).
 */
export function makeDatedToy(sleepMs = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'dag-dated-'));
  mkdirSync(join(dir, 'tasks'));
  mkdirSync(join(dir, 'raw'));
  writeFileSync(join(dir, 'pipeline.dag.yaml'), `version: 1
config: { file: settings.yaml }
fanout: tickers
targets: { all: [table] }
nodes:
  - id: table
    task: tasks/table.mjs
    description: the raw CSV as a table
    per_ticker: true
    inputs: ["raw/{ticker}.csv"]
    outputs: ["out/table/{ticker}.parquet"]
    params: [sleep_ms]
`);
  writeFileSync(join(dir, 'settings.yaml'), `tickers: [A, B]\nsleep_ms: ${sleepMs}\n`);
  writeFileSync(join(dir, 'tasks/table.mjs'), `export default async function (ctx) {
  const t = ctx.requireTicker();
  const rows = ctx.readText('raw/' + t + '.csv').trim().split('\\n').slice(1).map((l) => l.split(','));
  await new Promise((r) => setTimeout(r, ctx.param('sleep_ms')));
  const columns = { date: rows.map((r) => r[0]), value: Float64Array.from(rows, (r) => Number(r[1])) };
  await ctx.writeTable('out/table/' + t + '.parquet', { length: rows.length, columns }, [{ name: 'date', kind: 'date' }, { name: 'value', kind: 'double' }]);
}
`);
  for (const [t, base] of [['A', 100], ['B', 50]] as const) {
    const rows = ['date,value'];
    for (let i = 0; i < 30; i++) rows.push(`${new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10)},${base + i}`);
    writeFileSync(join(dir, `raw/${t}.csv`), rows.join('\n') + '\n');
  }
  return dir;
}
