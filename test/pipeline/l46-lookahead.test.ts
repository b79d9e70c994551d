/**
 * No look-ahead in layers 4-6: the sample market's raw CSVs (SMALL settings) go into a csv-source
 * work folder, and for several dates t into another one where every bar after t of every ticker
 * (the benchmark included) is moved by a deterministic random walk (open, high, low, close and
 * adjusted close scaled by one factor per day, volume by another: the bars stay valid). `dag run
 * meta` on each (it needs regime and predict). Every column of the regime artifact and of every
 * predictions artifact dated <= t must be identical, while rows after t do change.
 *
 * The cut dates are where a leak would show: the first day a regime refit is used (it must have
 * seen only rows before t), two days after the last training row of an h=5 fold (its labels end
 * three days after t, so that model changes, and it must not predict on or before t), and the first prediction day of an h=5
 * fold (its training labels must all have ended before t: the embargo).
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn, deepMerge, makeWorkdir, readSettings, SMALL } from '../support/pipeline.js';
import { readParquet, uniform } from './l46-support.js';

// A tiny early-stopping set: the rows whose labels a leak would reach are the latest training
// rows, which would otherwise all sit in the validation set and could leave the trees unchanged.
const SETTINGS = deepMerge(SMALL, { ml: { params: { num_rounds: 30 }, walk_forward: { valid_fraction: 0.002 } } });
const CSV = deepMerge(SETTINGS, { data: { source: 'csv' } });

type Read = Awaited<ReturnType<typeof readParquet>>;
interface Outputs {
  regime: Read;
  predictions: Record<string, Read>;
}

const dirs: string[] = [];
let tickers: string[] = [];
let raw: Record<string, string> = {};
let base: Outputs;
const cuts: { why: string; t: string }[] = [];

function runMeta(raws: Record<string, string>): string {
  const dir = makeWorkdir(CSV);
  dirs.push(dir);
  mkdirSync(join(dir, 'data/raw'), { recursive: true });
  for (const [t, text] of Object.entries(raws)) writeFileSync(join(dir, `data/raw/${t}_raw.csv`), text);
  const r = dagIn(dir, ['run', 'meta']);
  if (r.code !== 0) throw new Error(`dag run meta failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return dir;
}

async function load(dir: string): Promise<Outputs> {
  const predictions: Record<string, Read> = {};
  for (const t of tickers) predictions[t] = await readParquet(join(dir, `artifacts/predictions/${t}.parquet`));
  return { regime: await readParquet(join(dir, `artifacts/regimes/${readSettings(dir).benchmark}.parquet`)), predictions };
}

/** Yahoo CSV text with every row after `cut` scaled by a random walk (rows <= cut kept verbatim). */
function perturbAfter(text: string, cut: string, seed: number): string {
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('Date,Open,High,Low,Close,Adj Close,Volume');
  const u = uniform(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  let walk = 0;
  let changed = 0;
  const out = lines.map((line, i) => {
    const f = line.split(',');
    if (i === 0 || f[0] <= cut) return line;
    walk += 0.02 * gauss();
    const k = Math.exp(walk);
    const prices = f.slice(1, 6).map((v) => (Number(v) * k).toFixed(6));
    const volume = Math.max(1, Math.round(Number(f[6]) * Math.exp(0.5 * gauss())));
    changed++;
    return [f[0], ...prices, String(volume)].join(',');
  });
  expect(changed).toBeGreaterThan(50);
  return out.join('\n') + '\n';
}

beforeAll(async () => {
  const src = makeWorkdir(SETTINGS);
  dirs.push(src);
  const r = dagIn(src, ['run', 'sample']);
  if (r.code !== 0) throw new Error(`dag run sample failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  tickers = readSettings(src).tickers;
  raw = Object.fromEntries(tickers.map((t) => [t, readFileSync(join(src, `data/raw/${t}_raw.csv`), 'utf8')]));
  const baseDir = runMeta(raw);
  base = await load(baseDir);

  const calendar = base.regime.columns.date as string[];
  const at = new Map(calendar.map((d, i) => [d, i]));
  const fits = JSON.parse(readFileSync(join(baseDir, `artifacts/models/regime/${readSettings(baseDir).benchmark}.json`), 'utf8')).fits as { fit_date: string }[];
  const models = JSON.parse(readFileSync(join(baseDir, 'artifacts/models/ml/models.json'), 'utf8')).models as {
    horizon: number;
    trainWindow: { last: string };
    predictFirst: string;
  }[];
  expect(fits.length).toBeGreaterThanOrEqual(3);
  const h5 = models.filter((m) => m.horizon === 5);
  expect(h5.length).toBeGreaterThanOrEqual(4);
  // models predict from backtest.start_date on (no fold before it): take a refit after that, so
  // that predictions dated before the cut exist and the comparison is not vacuous
  const firstPrediction = models.reduce((m, x) => (x.predictFirst < m ? x.predictFirst : m), '9999-12-31');
  const refit = fits.slice(2).find((f) => f.fit_date > firstPrediction);
  if (!refit) throw new Error(`no regime refit after the first prediction date ${firstPrediction}`);
  cuts.push({ why: 'first day of a regime refit', t: refit.fit_date });
  cuts.push({ why: 'two days after the last training row of an h=5 fold', t: calendar[at.get(h5[2].trainWindow.last)! + 2] });
  cuts.push({ why: 'first prediction day of an h=5 fold', t: h5[3].predictFirst });
  for (const { t } of cuts) expect(at.has(t)).toBe(true);
}, 240_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Rows of every column (date included) with date <= t, and whether any later row differs. */
function compare(a: Read, b: Read, t: string): { before: [unknown[], unknown[]][]; laterDiffers: boolean } {
  expect(b.names).toEqual(a.names);
  expect(b.columns.date).toEqual(a.columns.date);
  const dates = a.columns.date as string[];
  const k = dates.filter((d) => d <= t).length;
  expect(k).toBeGreaterThan(100);
  expect(k).toBeLessThan(dates.length);
  const before = a.names.map((n): [unknown[], unknown[]] => [a.columns[n].slice(0, k), b.columns[n].slice(0, k)]);
  const laterDiffers = a.names.some((n) => a.columns[n].slice(k).some((v, i) => !Object.is(v, b.columns[n][k + i])));
  return { before, laterDiffers };
}

describe('regimes and predictions dated <= t ignore every bar after t', () => {
  test.each([0, 1, 2])('cut %i', async (c) => {
    const { t, why } = cuts[c];
    const perturbed = Object.fromEntries(tickers.map((tk, i) => [tk, perturbAfter(raw[tk], t, 1000 * (c + 1) + i)]));
    const out = await load(runMeta(perturbed));

    const reg = compare(base.regime, out.regime, t);
    for (const [x, y] of reg.before) expect(y).toEqual(x);
    expect({ why, t, regimeChangesAfter: reg.laterDiffers }).toEqual({ why, t, regimeChangesAfter: true });

    let predictionsChangeAfter = false;
    for (const tk of tickers) {
      const p = compare(base.predictions[tk], out.predictions[tk], t);
      expect(base.predictions[tk].names.filter((n) => n.startsWith('p_'))).toHaveLength(9);
      // some non-null predictions fall on or before t, so the comparison is not vacuous
      expect(base.predictions[tk].columns.p_up_h1.slice(0, p.before[0][0].length).some((v) => v !== null)).toBe(true);
      for (const [x, y] of p.before) expect(y).toEqual(x);
      predictionsChangeAfter ||= p.laterDiffers;
    }
    expect({ why, t, predictionsChangeAfter }).toEqual({ why, t, predictionsChangeAfter: true });
  });
});
