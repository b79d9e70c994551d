import { describe, expect, test } from '@jest/globals';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn, makeWorkdir, readSettings, SHARED_MARKET, SMALL, deepMerge, writeSettings } from '../support/pipeline.js';
import { differingFiles } from '../support/artifacts.js';
import { isTradingDay } from '../../lib/core/calendar.js';
import { readPq } from './l79-support.js';

// Daily mode never retrains: the model files are identical, but a full run's model sidecars (and
// the train instances' results holding them) report fold metrics over a longer range, and a
// pending fold names the data's last date, so the training outputs are compared apart.
const notTrainOutputs = (p: string) => p.startsWith('artifacts/models/ml/') || p.startsWith('artifacts/models/ml_folds/') || p.startsWith('artifacts/models/ml_metrics/');

const runJson = (dir: string, args: string[]) => {
  const r = dagIn(dir, [...args, '--json']);
  if (r.code !== 0) throw new Error(`dag ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { summary: JSON.parse(r.stdout) as { executed: number; instances: { node: string; ticker: string | null; action: string; reasons: string[] }[] }, stderr: r.stderr };
};
const ranIds = (s: { instances: { node: string; ticker: string | null; action: string }[] }) =>
  s.instances.filter((i) => i.action === 'ran').map((i) => (i.ticker ? `${i.node}[${i.ticker}]` : i.node)).sort();

describe('dag run daily on the sample market', () => {
  test('without trained models it stops at once, naming the missing model, and writes nothing', () => {
    const dir = makeWorkdir(SMALL);
    const r = dagIn(dir, ['run', 'daily']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No ML model found for horizon=1, ticker=NVDA, model=lightgbm_v1');
    expect(existsSync(join(dir, 'artifacts/processed'))).toBe(false);
  });

  test.each([['2020-12-31'], ['2020-09-30']])('backtest up to %s, then three daily runs of one new day each, equals a full run on the longer market', (end) => {
    const settings = deepMerge(SMALL, { backtest: { end_date: end } });
    const daily = makeWorkdir(settings);
    runJson(daily, ['run', 'backtest']);
    const settingsFile = join(daily, 'config/settings.yaml');
    const original = readFileSync(settingsFile, 'utf8');
    // a dry run plans the longer market but writes nothing, the settings file included
    const dry = dagIn(daily, ['run', 'daily', '--extend', '1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`--dry-run: planned as if the sample market were 1 trading day(s) longer (data.sample.extra_days = 1); ${settingsFile} is unchanged`);
    expect(readFileSync(settingsFile, 'utf8')).toBe(original);
    for (let k = 0; k < 3; k++) {
      const { summary } = runJson(daily, ['run', 'daily', '--extend', '1']);
      // models are not retrained in daily mode
      expect(summary.instances.filter((i) => i.action === 'ran' && ['train', 'registry'].includes(i.node))).toEqual([]);
      expect(summary.instances.filter((i) => i.node === 'features' && i.action === 'ran').every((i) => i.reasons.some((r) => r.startsWith('incremental from') || r.startsWith('input changed')))).toBe(true);
      // only rows after backtest.end_date are new: positions and the backtest run incrementally
      for (const node of ['positions', 'backtest']) expect(summary.instances.find((i) => i.node === node)!.reasons.some((r) => r.startsWith('incremental from'))).toBe(true);
    }
    // --extend changed the number and nothing else in the file
    expect(original).toMatch(/^ {4}extra_days: 0$/m);
    expect(readFileSync(settingsFile, 'utf8')).toBe(original.replace(/^( {4}extra_days: )0$/m, '$13'));
    const full = makeWorkdir(deepMerge(settings, { data: { sample: { extra_days: 3 } } }));
    runJson(full, ['run', 'backtest']);
    expect(differingFiles(daily, full, notTrainOutputs)).toEqual([]);
    // the ONNX models themselves are the same files
    expect(differingFiles(daily, full, (p) => !p.endsWith('.onnx'))).toEqual([]);
    const latest = JSON.parse(readFileSync(join(daily, 'artifacts/positions/hybrid_alpha_mvp/latest.json'), 'utf8'));
    expect(Object.keys(latest.positions).sort()).toEqual(['MSFT', 'NVDA', 'SPY']);
    expect(latest.applies_to > latest.as_of).toBe(true);
    expect(Object.keys(latest.sources)).toContain('artifacts/positions/hybrid_alpha_mvp/NVDA.parquet');
  });
});

describe('dag run daily after a settings change', () => {
  test('a node whose params changed, and everything after it, is rebuilt in full, not from the new day, and equals a full run', () => {
    const daily = makeWorkdir(SMALL);
    runJson(daily, ['run', 'backtest']);
    const changed = { signals: { mean_reversion: { scale: 3 } } };
    writeSettings(daily, deepMerge(readSettings(daily), changed));
    const { summary } = runJson(daily, ['run', 'daily', '--extend', '1']);
    const ran = (node: string) => summary.instances.filter((i) => i.node === node && i.action === 'ran');
    // features only saw new bars: incremental; signals have a new param: in full; meta, downstream of a node that
    // rewrote its whole history, in full too
    expect(ran('features').every((i) => i.reasons.some((r) => r.startsWith('incremental from')))).toBe(true);
    for (const node of ['signals', 'meta']) {
      expect(ran(node).length).toBe(3);
      expect(ran(node).some((i) => i.reasons.some((r) => r.startsWith('incremental from')))).toBe(false);
    }
    expect(ran('signals').every((i) => i.reasons.includes('param changed: signals.mean_reversion.scale'))).toBe(true);
    const full = makeWorkdir(deepMerge(deepMerge(SMALL, changed), { data: { sample: { extra_days: 1 } } }));
    runJson(full, ['run', 'backtest']);
    expect(differingFiles(daily, full, notTrainOutputs)).toEqual([]);
  });
});

/** Raw CSVs of a sample market written into `raw/`, then the workdir switched to data.source csv. */
function csvWorkdir(settings: Record<string, unknown>, cutRows: number): { dir: string; tails: Record<string, string[]> } {
  const gen = makeWorkdir(settings);
  runJson(gen, ['run', 'sample']);
  const dir = makeWorkdir(deepMerge(settings, { data: { source: 'csv' }, paths: { raw: 'raw/{ticker}.csv' } }));
  mkdirSync(join(dir, 'raw'));
  const tails: Record<string, string[]> = {};
  for (const t of ['NVDA', 'MSFT', 'SPY']) {
    const lines = readFileSync(join(gen, `data/raw/${t}_raw.csv`), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, `raw/${t}.csv`), lines.slice(0, lines.length - cutRows).join('\n') + '\n');
    tails[t] = lines.slice(lines.length - cutRows);
  }
  return { dir, tails };
}

describe('dag run daily with raw files that grow', () => {
  test('one new bar for one ticker rebuilds only its chain and the portfolio-level nodes; status names the new row', () => {
    const { dir, tails } = csvWorkdir(SMALL, 5);
    runJson(dir, ['run', 'backtest']);
    appendFileSync(join(dir, 'raw/NVDA.csv'), tails.NVDA[0] + '\n');
    const status = JSON.parse(dagIn(dir, ['status', '--json']).stdout).instances as { node: string; ticker: string; reasons: string[] }[];
    expect(status.find((i) => i.node === 'processed' && i.ticker === 'NVDA')!.reasons).toEqual(['input changed: 1 new row in raw/NVDA.csv']);
    const latestFile = join(dir, 'artifacts/positions/hybrid_alpha_mvp/latest.json');
    const before = readFileSync(latestFile, 'utf8');
    // the benchmark (SPY) has no bar on NVDA's new date yet: no regime, no relative strength, so
    // every target of that date would be 0; latest refuses, naming the benchmark, and keeps its file
    const r = dagIn(dir, ['run', 'daily', '--json']);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as Parameters<typeof ranIds>[0];
    // the run stops at the failure (without --keep-going): report is not reached
    expect(ranIds(summary)).toEqual(['backtest', 'features[NVDA]', 'meta[NVDA]', 'positions', 'predict[NVDA]', 'processed[NVDA]', 'signals[NVDA]']);
    const newDate = tails.NVDA[0].split(',')[0];
    expect(r.stdout + r.stderr).toContain(`the benchmark SPY has no bar on ${newDate} (its last is ${JSON.parse(before).as_of})`);
    expect(readFileSync(latestFile, 'utf8')).toBe(before);
  });

  /** A backtest, then a daily run in which NVDA and the benchmark have the new day and MSFT's file does not yet. */
  const msftLate = (settings: Record<string, unknown>) => {
    const { dir, tails } = csvWorkdir(settings, 5);
    runJson(dir, ['run', 'backtest']);
    const latestFile = join(dir, 'artifacts/positions/hybrid_alpha_mvp/latest.json');
    const before = JSON.parse(readFileSync(latestFile, 'utf8'));
    for (const t of ['NVDA', 'SPY']) appendFileSync(join(dir, `raw/${t}.csv`), tails[t][0] + '\n');
    const { stderr } = runJson(dir, ['run', 'daily']);
    return { dir, tails, before, after: JSON.parse(readFileSync(latestFile, 'utf8')), stderr, newDate: tails.NVDA[0].split(',')[0] };
  };

  test('a ticker whose new bar is late keeps its last target in latest.json, marked late', async () => {
    const { dir, before, after, stderr, newDate } = msftLate(SMALL);
    expect(after.as_of).toBe(newDate);
    for (const t of ['NVDA', 'SPY']) expect(after.positions[t]).toMatchObject({ as_of: newDate, status: 'current' });
    expect(before.positions.MSFT).toMatchObject({ status: 'current', as_of: before.as_of });
    expect(after.positions.MSFT).toEqual({ ...before.positions.MSFT, status: 'late', missing_sessions: 1 });
    expect(stderr).toContain(`no bar on ${newDate} for MSFT (last bar ${before.as_of}): late, their last targets stand until the bars arrive`);
    // the backtest tells the same story: MSFT is late, held at its last close, not delisted and sold
    const summary = JSON.parse(readFileSync(join(dir, 'artifacts/backtests/hybrid_alpha_mvp/summary.json'), 'utf8'));
    expect(summary).toMatchObject({ end_date: newDate, late: { MSFT: before.as_of }, left_early: {} });
    const trades = await readPq(join(dir, 'artifacts/backtests/hybrid_alpha_mvp/trades.parquet'));
    expect(trades.str.reason.length).toBeGreaterThan(0);
    expect(trades.str.reason.filter((r) => r === 'delisting')).toEqual([]);
    expect(stderr).toContain(`MSFT: last bar ${before.as_of}, before the backtest's last date ${newDate} but within data.max_gap_days sessions of the newest bar (late, not delisted)`);
  });

  test('a late ticker\'s standing target counts against risk.max_gross: the tickers with the new bar share what is left, as in a full run', async () => {
    // a cap that binds on every date
    const settings = deepMerge(SMALL, { risk: { max_gross: 0.01 } });
    const { dir, tails, before, after, stderr } = msftLate(settings);
    const last = async (t: string) => (await readPq(join(dir, `artifacts/positions/hybrid_alpha_mvp/${t}.parquet`))).col.target_weight.at(-1)!;
    const w = { NVDA: await last('NVDA'), SPY: await last('SPY'), MSFT: before.positions.MSFT.target_weight as number };
    // MSFT holds its position untraded: NVDA and SPY get the cap minus its weight, not the whole cap
    expect(Math.abs(w.MSFT)).toBeGreaterThan(0.001);
    expect(Math.abs(w.NVDA) + Math.abs(w.SPY)).toBeCloseTo(0.01 - Math.abs(w.MSFT), 12);
    // latest.json hands on exactly those targets, MSFT's kept one included, within the cap
    expect(after.positions.MSFT).toEqual({ ...before.positions.MSFT, status: 'late', missing_sessions: 1 });
    for (const t of ['NVDA', 'SPY'] as const) expect(after.positions[t].target_weight).toBe(w[t]);
    expect(Math.abs(w.NVDA) + Math.abs(w.SPY) + Math.abs(w.MSFT)).toBeLessThanOrEqual(0.01 + 1e-15);
    expect(stderr).not.toContain('scaled by');
    // the daily run's files are a full run's on the same raw files
    const sameAsFull = () => {
      const full = makeWorkdir(deepMerge(settings, { data: { source: 'csv' }, paths: { raw: 'raw/{ticker}.csv' } }));
      cpSync(join(dir, 'raw'), join(full, 'raw'), { recursive: true });
      runJson(full, ['run', 'backtest']);
      expect(differingFiles(dir, full, notTrainOutputs)).toEqual([]);
    };
    sameAsFull();
    // the next day MSFT's late bar arrives with everyone's new one: positions recompute the late
    // date without the standing weight, as a full run would
    appendFileSync(join(dir, 'raw/MSFT.csv'), tails.MSFT.slice(0, 2).join('\n') + '\n');
    for (const t of ['NVDA', 'SPY']) appendFileSync(join(dir, `raw/${t}.csv`), tails[t][1] + '\n');
    runJson(dir, ['run', 'daily']);
    expect(JSON.parse(readFileSync(join(dir, 'artifacts/positions/hybrid_alpha_mvp/latest.json'), 'utf8')).positions.MSFT.status).toBe('current');
    sameAsFull();
  });

  test('a bar missing inside a history: the ticker\'s position stands that day and the others share what the cap leaves', async () => {
    const { dir } = csvWorkdir(deepMerge(SMALL, { risk: { max_gross: 0.01 } }), 1);
    // take one bar out of MSFT's file, 30 rows before its end (a gap preprocessing accepts)
    const file = join(dir, 'raw/MSFT.csv');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const gap = lines.length - 30;
    const gapDate = lines[gap].split(',')[0];
    writeFileSync(file, [...lines.slice(0, gap), ...lines.slice(gap + 1)].join('\n') + '\n');
    runJson(dir, ['run', 'backtest']);
    const pos = Object.fromEntries(await Promise.all(['NVDA', 'MSFT', 'SPY'].map(async (t) => [t, await readPq(join(dir, `artifacts/positions/hybrid_alpha_mvp/${t}.parquet`))] as const)));
    const weightOn = (t: string, d: string) => pos[t].col.target_weight[pos[t].str.date.indexOf(d)]!;
    expect(pos.MSFT.str.date).not.toContain(gapDate);
    const msftBefore = pos.MSFT.str.date.filter((d) => d < gapDate).at(-1)!;
    expect(Math.abs(weightOn('MSFT', msftBefore))).toBeGreaterThan(0.001);
    // by hand from the files: NVDA and SPY on the gap date sum to the cap minus MSFT's last weight
    expect(Math.abs(weightOn('NVDA', gapDate)) + Math.abs(weightOn('SPY', gapDate))).toBeCloseTo(0.01 - Math.abs(weightOn('MSFT', msftBefore)), 12);
    // so the backtest's gross exposure the day those targets are traded (MSFT held, no decision)
    // stays at the cap up to the day's price moves; NVDA and SPY at the whole cap would add MSFT's weight
    const pnl = await readPq(join(dir, 'artifacts/backtests/hybrid_alpha_mvp/pnl_timeseries.parquet'));
    const k = pnl.str.date.indexOf(gapDate);
    expect(k).toBeGreaterThan(0);
    expect(Math.abs(pnl.col.gross_exposure[k + 1]! - 0.01)).toBeLessThan(Math.abs(weightOn('MSFT', msftBefore)) / 2);
  });

  test('a stray row on a day the exchange is closed makes no other ticker late and the benchmark no blocker', () => {
    const { dir, tails } = csvWorkdir(SMALL, 5);
    // every file one session longer, so that the next calendar day is a closed day
    for (const t of ['NVDA', 'MSFT', 'SPY']) appendFileSync(join(dir, `raw/${t}.csv`), tails[t][0] + '\n');
    runJson(dir, ['run', 'backtest']);
    const last = tails.NVDA[0].split(',');
    const next = new Date(`${last[0]}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const closed = next.toISOString().slice(0, 10);
    expect(isTradingDay(closed)).toBe(false); // the premise: a holiday or a weekend day
    appendFileSync(join(dir, 'raw/NVDA.csv'), [closed, ...last.slice(1)].join(',') + '\n');
    runJson(dir, ['run', 'daily']);
    const latest = JSON.parse(readFileSync(join(dir, 'artifacts/positions/hybrid_alpha_mvp/latest.json'), 'utf8'));
    expect(latest.as_of).toBe(closed);
    for (const t of ['NVDA', 'MSFT', 'SPY']) expect(latest.positions[t].status).toBe('current');
    expect(latest.positions.MSFT.as_of).toBe(last[0]);
    // nor does the backtest call MSFT and SPY late or delisted: no session is missing
    const summary = JSON.parse(readFileSync(join(dir, 'artifacts/backtests/hybrid_alpha_mvp/summary.json'), 'utf8'));
    expect(summary).toMatchObject({ end_date: closed, late: {}, left_early: {} });
  });

  test('a restated bar falls back to a full rebuild of that ticker, with a warning naming the date, and still equals a full run', () => {
    const { dir, tails } = csvWorkdir(SMALL, 3);
    runJson(dir, ['run', 'backtest']);
    // restate one historical close (inside [low, high]) and append a new day for every ticker
    const nvda = readFileSync(join(dir, 'raw/NVDA.csv'), 'utf8').split('\n');
    const row = nvda.length - 40;
    const f = nvda[row].split(',');
    const restatedDate = f[0];
    f[4] = ((Number(f[2]) + Number(f[3])) / 2).toFixed(6);
    nvda[row] = f.join(',');
    writeFileSync(join(dir, 'raw/NVDA.csv'), nvda.join('\n'));
    for (const t of ['NVDA', 'MSFT', 'SPY']) appendFileSync(join(dir, `raw/${t}.csv`), tails[t][0] + '\n');
    const { summary, stderr } = runJson(dir, ['run', 'daily']);
    expect(stderr).toContain(`NVDA: restated bar on ${restatedDate}`);
    const features = summary.instances.filter((i) => i.node === 'features' && i.action === 'ran');
    expect(features.find((i) => i.ticker === 'NVDA')!.reasons.some((r) => r.startsWith('incremental'))).toBe(false);
    expect(features.find((i) => i.ticker === 'MSFT')!.reasons.some((r) => r.startsWith('incremental'))).toBe(true);

    const full = makeWorkdir(deepMerge(SMALL, { data: { source: 'csv' }, paths: { raw: 'raw/{ticker}.csv' } }));
    cpSync(join(dir, 'raw'), join(full, 'raw'), { recursive: true });
    runJson(full, ['run', 'backtest']);
    expect(differingFiles(dir, full, notTrainOutputs)).toEqual([]);
  });
});

describe('dag run daily with new rows after backtest.end_date', () => {
  test('a late file that the new rows make a delisting is booked as one (the old results are not kept), as in a full run', async () => {
    const { dir, tails } = csvWorkdir(SMALL, 5);
    // the window ends before the data: the daily rows all come after it
    const end = '2020-11-30';
    writeSettings(dir, deepMerge(readSettings(dir), { backtest: { end_date: end } }));
    // MSFT's file stops 19 sessions before the others' last bar: late (data.max_gap_days 20), in the window
    const msft = readFileSync(join(dir, 'raw/MSFT.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'raw/MSFT.csv'), msft.slice(0, -19).join('\n') + '\n');
    const msftLast = msft.at(-20)!.slice(0, 10);
    expect(msftLast < end).toBe(true);
    runJson(dir, ['run', 'backtest']);
    const summaryFile = join(dir, 'artifacts/backtests/hybrid_alpha_mvp/summary.json');
    expect(JSON.parse(readFileSync(summaryFile, 'utf8'))).toMatchObject({ late: { MSFT: msftLast }, left_early: {} });
    // two more days for NVDA and SPY: MSFT now misses 21 sessions, its history has ended
    for (const t of ['NVDA', 'SPY']) appendFileSync(join(dir, `raw/${t}.csv`), tails[t].slice(0, 2).join('\n') + '\n');
    const { stderr } = runJson(dir, ['run', 'daily']);
    expect(stderr).toContain(`change the listings (left_early was {}, now {"MSFT":"${msftLast}"}): recomputed`);
    expect(JSON.parse(readFileSync(summaryFile, 'utf8'))).toMatchObject({ late: {}, left_early: { MSFT: msftLast } });
    const trades = await readPq(join(dir, 'artifacts/backtests/hybrid_alpha_mvp/trades.parquet'));
    expect(trades.str.reason.filter((r, k) => r === 'delisting' && trades.str.ticker[k] === 'MSFT')).toHaveLength(1);
    const full = makeWorkdir(deepMerge(readSettings(dir), {}));
    cpSync(join(dir, 'raw'), join(full, 'raw'), { recursive: true });
    runJson(full, ['run', 'backtest']);
    expect(differingFiles(dir, full, notTrainOutputs)).toEqual([]);
    // one more day: the listings stand, so the results are kept without a recomputation
    for (const t of ['NVDA', 'SPY']) appendFileSync(join(dir, `raw/${t}.csv`), tails[t][2] + '\n');
    expect(runJson(dir, ['run', 'daily']).stderr).toContain(`after backtest.end_date ${end}: results unchanged`);
  });
});

const haveReal = existsSync(SHARED_MARKET);
if (!haveReal) console.warn(`skipping the real-data daily test: ${SHARED_MARKET} is not here`);

(haveReal ? describe : describe.skip)('dag run daily on real files from ../shared/data/market', () => {
  test('a full run up to D then daily runs adding D+1..D+3 equal a full run up to D+3', () => {
    const settings = {
      tickers: ['NVDA', 'SPX'], benchmark: 'SPX', data: { source: 'csv' }, paths: { raw: 'raw/{ticker}.csv' },
      backtest: { start_date: '2008-01-01', end_date: '2010-12-31' },
      regime: { min_train: 378, refit_every: 126 }, ml: { walk_forward: { min_train: 378, refit_every: 126 }, params: { num_rounds: 40 } },
    };
    const cut = (lines: string[], last: string) => lines.filter((l, i) => i === 0 || l.slice(0, 10) <= last);
    const source = Object.fromEntries(['NVDA', 'SPX'].map((t) => [t, readFileSync(join(SHARED_MARKET, `${t}.csv`), 'utf8').trimEnd().split('\n')]));
    const end = '2010-12-31';
    const daily = makeWorkdir(settings);
    mkdirSync(join(daily, 'raw'));
    for (const t of ['NVDA', 'SPX']) writeFileSync(join(daily, `raw/${t}.csv`), cut(source[t], '2010-12-20').join('\n') + '\n');
    runJson(daily, ['run', 'backtest']);
    const next = source.SPX.filter((l) => l.slice(0, 10) > '2010-12-20' && l.slice(0, 10) <= end).map((l) => l.slice(0, 10));
    for (const d of next.slice(0, 3)) {
      for (const t of ['NVDA', 'SPX']) {
        const line = source[t].find((l) => l.startsWith(d));
        if (line) appendFileSync(join(daily, `raw/${t}.csv`), line + '\n');
      }
      runJson(daily, ['run', 'daily']);
    }
    const full = makeWorkdir(settings);
    cpSync(join(daily, 'raw'), join(full, 'raw'), { recursive: true });
    runJson(full, ['run', 'backtest']);
    expect(differingFiles(daily, full, notTrainOutputs)).toEqual([]);
  });
});
