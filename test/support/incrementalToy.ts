import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A toy DAG of sensor readings whose nodes declare each incremental kind:
 * - `readings` (source): raw/<sensor>.csv as a table;
 * - `smooth` (rows, look-back 2): 3-row moving average times the param `scale`;
 * - `level` (carry): running total of `smooth`, continued from the total stored beside it;
 * - `spread` (earliest): per date, the largest minus the smallest `smooth` over every sensor;
 * - `summary` (no declaration: always in full): row counts and last values.
 * Targets: `all` (full) and `update` (incremental).
 */
export const INCREMENTAL_TOY_DAG = `version: 1
config: { file: settings.yaml }
fanout: sensors
targets:
  all: [summary]
  update: { nodes: [summary], mode: incremental }
nodes:
  - id: readings
    task: tasks/readings.mjs
    description: the raw CSV as a table
    per_ticker: true
    inputs: ["raw/{ticker}.csv"]
    outputs: ["artifacts/readings/{ticker}.parquet"]
    incremental: { kind: source }
  - id: smooth
    task: tasks/smooth.mjs
    description: 3-row moving average, scaled
    per_ticker: true
    inputs: [{ node: readings }]
    outputs: ["artifacts/smooth/{ticker}.parquet"]
    params: [scale]
    incremental: { kind: rows, lookback: 2 }
  - id: level
    task: tasks/level.mjs
    description: running total of the smoothed values
    per_ticker: true
    inputs: [{ node: smooth }]
    outputs: ["artifacts/level/{ticker}.parquet", "artifacts/level/{ticker}.json"]
    incremental: { kind: carry }
  - id: spread
    task: tasks/spread.mjs
    description: largest minus smallest smoothed value over the sensors, per date
    inputs: [{ node: smooth }]
    outputs: ["artifacts/spread.parquet"]
    incremental: { kind: earliest }
  - id: summary
    task: tasks/summary.mjs
    description: row counts and last values
    inputs: [{ node: spread }, { node: level }]
    outputs: ["artifacts/summary.json"]
`;

const SCHEMA = (col: string) => `[{ name: 'date', kind: 'date' }, { name: '${col}', kind: 'double' }]`;

const TASKS: Record<string, string> = {
  'readings.mjs': `export default async function (ctx) {
  const t = ctx.requireTicker();
  const rows = ctx.readText('raw/' + t + '.csv').trim().split('\\n').slice(1).map((l) => l.split(','));
  const columns = { date: rows.map((r) => r[0]), value: Float64Array.from(rows, (r) => Number(r[1])) };
  await ctx.writeTable('artifacts/readings/' + t + '.parquet', { length: rows.length, columns }, ${SCHEMA('value')});
}
`,
  'smooth.mjs': `export default async function (ctx) {
  const t = ctx.requireTicker();
  const w = await ctx.rowWindow('artifacts/readings/' + t + '.parquet');
  const v = w.table.columns.value;
  const out = new Float64Array(w.table.length);
  for (let i = 0; i < out.length; i++) out[i] = i < 2 ? NaN : ((v[i] + v[i - 1] + v[i - 2]) / 3) * ctx.param('scale');
  await w.write('artifacts/smooth/' + t + '.parquet', { length: out.length, columns: { date: w.table.columns.date, value: out } }, ${SCHEMA('value')});
}
`,
  'level.mjs': `export default async function (ctx) {
  const t = ctx.requireTicker();
  const out = 'artifacts/level/' + t + '.parquet';
  const stateOut = 'artifacts/level/' + t + '.json';
  const input = await ctx.readTable('artifacts/smooth/' + t + '.parquet');
  const dates = input.columns.date;
  const v = input.columns.value;
  let start = 0;
  let total = 0;
  const level = new Float64Array(dates.length);
  // continue from the stored total when the new rows all come after it
  const state = ctx.spec.mode === 'incremental' ? JSON.parse(ctx.readOwnText(stateOut) ?? 'null') : null;
  if (state && ctx.spec.since > state.last_date && dates[state.rows - 1] === state.last_date) {
    const old = await ctx.readOwnTable(out);
    level.set(old.columns.level.subarray(0, state.rows));
    start = state.rows;
    total = state.total;
  }
  for (let i = start; i < dates.length; i++) {
    if (!Number.isNaN(v[i])) total += v[i];
    level[i] = total;
  }
  await ctx.writeTable(out, { length: dates.length, columns: { date: dates, level } }, ${SCHEMA('level')});
  ctx.writeJson(stateOut, { rows: dates.length, last_date: dates.at(-1), total });
}
`,
  'spread.mjs': `export default async function (ctx) {
  const since = ctx.spec.mode === 'incremental' ? ctx.spec.since : undefined;
  const tables = await Promise.all(ctx.inputs('smooth').map((r) => ctx.readTable(r.path, undefined, since)));
  const dates = [...new Set(tables.flatMap((t) => t.columns.date))].sort();
  const byDate = tables.map((t) => new Map(t.columns.date.map((d, i) => [d, t.columns.value[i]])));
  const spread = Float64Array.from(dates, (d) => {
    const xs = byDate.map((m) => m.get(d)).filter((x) => x !== undefined && !Number.isNaN(x));
    return xs.length ? Math.max(...xs) - Math.min(...xs) : NaN;
  });
  const table = { length: dates.length, columns: { date: dates, spread } };
  if (since) await ctx.spliceOwnTable('artifacts/spread.parquet', since, table, ${SCHEMA('spread')});
  else await ctx.writeTable('artifacts/spread.parquet', table, ${SCHEMA('spread')});
}
`,
  'summary.mjs': `export default async function (ctx) {
  const spread = await ctx.readTable('artifacts/spread.parquet');
  const levels = {};
  for (const r of ctx.inputs('level').filter((x) => x.path.endsWith('.parquet'))) {
    const t = await ctx.readTable(r.path);
    levels[r.ticker] = t.columns.level[t.length - 1];
  }
  ctx.writeJson('artifacts/summary.json', { rows: spread.length, last: spread.columns.date.at(-1), spread: spread.columns.spread[spread.length - 1], levels });
}
`,
  // a node a user adds later (incrementalToy.test.ts): day-on-day change of the readings
  'delta.mjs': `export default async function (ctx) {
  const t = ctx.requireTicker();
  const w = await ctx.rowWindow('artifacts/readings/' + t + '.parquet');
  const v = w.table.columns.value;
  const out = Float64Array.from(v, (x, i) => (i === 0 ? NaN : x - v[i - 1]));
  await w.write('artifacts/delta/' + t + '.parquet', { length: out.length, columns: { date: w.table.columns.date, delta: out } }, ${SCHEMA('delta')});
}
`,
};

/** Reading number i of a sensor: deterministic, with decimals (so sums are not exact). */
export function reading(sensor: string, i: number): string {
  const base = sensor === 'a' ? 10 : 5;
  return (base + ((i * 7) % 13) / 3 + Math.sin(i) / 7).toFixed(6);
}

export const dateOf = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);

export const SENSORS = ['a', 'b'];

/** A work folder with the toy DAG and `rows` readings per sensor. */
export function makeIncrementalToy(rows: number, settings: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dag-inc-'));
  mkdirSync(join(dir, 'tasks'));
  mkdirSync(join(dir, 'raw'));
  writeFileSync(join(dir, 'pipeline.dag.yaml'), INCREMENTAL_TOY_DAG);
  writeToySettings(dir, settings);
  for (const [name, text] of Object.entries(TASKS)) writeFileSync(join(dir, 'tasks', name), text);
  for (const s of SENSORS) {
    const lines = ['date,value'];
    for (let i = 0; i < rows; i++) lines.push(`${dateOf(i)},${reading(s, i)}`);
    writeFileSync(join(dir, `raw/${s}.csv`), lines.join('\n') + '\n');
  }
  return dir;
}

export function writeToySettings(dir: string, settings: Record<string, unknown>): void {
  const s = { sensors: SENSORS, scale: 2, ...settings };
  writeFileSync(join(dir, 'settings.yaml'), Object.entries(s).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n') + '\n');
}

/** Append readings from..to-1 to every sensor's raw file. */
export function appendReadings(dir: string, from: number, to: number): void {
  for (const s of SENSORS) {
    for (let i = from; i < to; i++) appendFileSync(join(dir, `raw/${s}.csv`), `${dateOf(i)},${reading(s, i)}\n`);
  }
}

/** Change reading i of a sensor in its raw file (a restatement). */
export function restate(dir: string, sensor: string, i: number, value: string): void {
  const path = join(dir, `raw/${sensor}.csv`);
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[i + 1] = `${dateOf(i)},${value}`;
  writeFileSync(path, lines.join('\n'));
}
