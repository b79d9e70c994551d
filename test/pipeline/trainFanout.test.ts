import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import trainFolds, { type FoldConfig } from '../../lib/pipeline/trainFolds.js';
import { parseSettings } from '../../lib/core/settings.js';
import { dagIn, deepMerge, makeWorkdir, readSettings, REPO, SMALL, writeSettings } from '../support/pipeline.js';
import { differingFiles } from '../support/artifacts.js';

/**
 * NYSE trading days written out by hand for 2016-2021 (weekends and the regular holidays, as
 * lib/core/calendar.ts defines them), an oracle independent of that module.
 */
const HOLIDAYS = new Set([
  '2016-01-01', '2016-01-18', '2016-02-15', '2016-03-25', '2016-05-30', '2016-07-04', '2016-09-05', '2016-11-24', '2016-12-26',
  '2017-01-02', '2017-01-16', '2017-02-20', '2017-04-14', '2017-05-29', '2017-07-04', '2017-09-04', '2017-11-23', '2017-12-25',
  '2018-01-01', '2018-01-15', '2018-02-19', '2018-03-30', '2018-05-28', '2018-07-04', '2018-09-03', '2018-11-22', '2018-12-25',
  '2019-01-01', '2019-01-21', '2019-02-18', '2019-04-19', '2019-05-27', '2019-07-04', '2019-09-02', '2019-11-28', '2019-12-25',
  '2020-01-01', '2020-01-20', '2020-02-17', '2020-04-10', '2020-05-25', '2020-07-03', '2020-09-07', '2020-11-26', '2020-12-25',
  '2021-01-01', '2021-01-18', '2021-02-15', '2021-04-02', '2021-05-31', '2021-07-05', '2021-09-06', '2021-11-25', '2021-12-24',
]);
const DAYS: string[] = [];
for (let t = Date.UTC(2016, 0, 1); t <= Date.UTC(2021, 11, 31); t += 86_400_000) {
  const d = new Date(t);
  const iso = d.toISOString().slice(0, 10);
  if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !HOLIDAYS.has(iso)) DAYS.push(iso);
}
const at = (iso: string, n: number) => DAYS[DAYS.findIndex((d) => d >= iso) + n];

function foldConfig(over: Record<string, unknown>): FoldConfig {
  const base = parse(readFileSync(join(REPO, 'config/settings.yaml'), 'utf8')) as Record<string, unknown>;
  return parseSettings(deepMerge(deepMerge(base, SMALL), over), 'test settings') as unknown as FoldConfig;
}

describe('folds are planned for the backtest window only, from the config and the calendar', () => {
  test('first fold on backtest.start_date, one every refit_every trading days to the end, embargoed training', () => {
    const folds = trainFolds(foldConfig({ data: { source: 'csv' }, ml: { horizons: [1, 5], walk_forward: { embargo: 2 } } }));
    // 2018-01-01 is a holiday: the window starts on the 2nd; 126 trading days apart up to 2020-12-31
    const starts: string[] = [];
    for (let i = DAYS.indexOf('2018-01-02'); DAYS[i] <= '2020-12-31'; i += 126) starts.push(DAYS[i]);
    expect(starts).toEqual(['2018-01-02', '2018-07-03', '2019-01-02', '2019-07-03', '2020-01-02', '2020-07-02', '2020-12-31']);
    expect(folds.map((f) => f.key)).toEqual([1, 5].flatMap((h) => starts.map((p) => `lightgbm_v1_global_h${h}_v1@${p}`)));
    for (const f of folds) {
      // training rows end h + embargo + 1 trading days before the first prediction
      expect(f.trainLast).toBe(at(f.predictFirst, -(f.horizon + 2 + 1)));
      expect(f.predictLast).toBe(at(f.predictFirst, 125));
      expect(f.trainFirst).toBeNull();
    }
  });

  test('a rolling window starts window_days before the embargo; the sample market also plans its extra days', () => {
    const folds = trainFolds(foldConfig({ ml: { horizons: [3], walk_forward: { window: 'rolling', window_days: 400 } }, data: { sample: { extra_days: 130 } } }));
    expect(folds.at(-1)!.predictFirst).toBe('2021-07-02');
    for (const f of folds) expect(f.trainFirst).toBe(at(f.predictFirst, -(3 + 400)));
  });

  test("a horizon's own params change only that horizon's folds", () => {
    const plain = trainFolds(foldConfig({}));
    const tuned = trainFolds(foldConfig({ ml: { horizon_params: { 3: { num_leaves: 7 } } } }));
    expect(tuned.map((f) => f.key)).toEqual(plain.map((f) => f.key));
    tuned.forEach((f, i) => {
      if (f.horizon === 3) expect(f.params).toEqual({ ...plain[i].params, num_leaves: 7 });
      else expect(f).toEqual(plain[i]);
    });
    expect(() => parseSettings(deepMerge(parse(readFileSync(join(REPO, 'config/settings.yaml'), 'utf8')), { ml: { horizon_params: { 4: { num_leaves: 7 } } } }), 'x.yaml'))
      .toThrow(/ml\.horizon_params\.4.*horizon 4 is not listed in ml\.horizons/);
  });
});

type Summary = { instances: { node: string; item?: string; action: string; reasons: string[] }[] };
const run = (dir: string, args: string[] = ['run', 'backtest']): Summary => {
  const r = dagIn(dir, [...args, '--json']);
  if (r.code !== 0) throw new Error(`dag ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Summary;
};
const trained = (s: Summary) => s.instances.filter((i) => i.node === 'train' && i.action === 'ran').map((i) => i.item!).sort();
const FAST = deepMerge(SMALL, { tickers: ['NVDA', 'SPY'], ml: { params: { num_rounds: 20 } } });

describe('training on the pipeline: one instance per (horizon, fold)', () => {
  test("changing one horizon's params retrains only that horizon", () => {
    const dir = makeWorkdir(FAST);
    const first = run(dir);
    expect(trained(first).length).toBe(3 * 7);
    const before = readFileSync(join(dir, 'artifacts/models/ml/models.json'), 'utf8');
    writeSettings(dir, deepMerge(readSettings(dir), { ml: { horizon_params: { 3: { num_leaves: 7 } } } }));
    const stale = (JSON.parse(dagIn(dir, ['status', '--json']).stdout) as { instances: { node: string; item?: string; state: string; reasons: string[] }[] }).instances
      .filter((i) => i.node === 'train' && i.state !== 'fresh');
    expect(stale.map((i) => i.item).every((k) => k!.includes('_h3_'))).toBe(true);
    expect(stale.length).toBe(7);
    expect(stale[0].reasons).toEqual(['fan-out element changed: params.num_leaves']);
    const second = run(dir);
    expect(trained(second)).toEqual(trained(first).filter((k) => k.includes('_h3_')));
    const models = (s: string) => (JSON.parse(s) as { models: { id: string; file: string; params: { num_leaves: number }; contentHash: string }[] }).models;
    const old = models(before);
    const now = models(readFileSync(join(dir, 'artifacts/models/ml/models.json'), 'utf8'));
    for (const [i, m] of now.entries()) {
      expect(m.params.num_leaves).toBe(m.id.includes('_h3_') ? 7 : 15);
      if (!m.id.includes('_h3_')) expect(m.contentHash).toBe(old[i].contentHash);
    }
  });

  test('moving backtest.end_date over a refit date on data that reaches it trains only the new folds', () => {
    // raw files reaching 2021-12-31 (written by the sample node), read as user CSVs
    const gen = makeWorkdir(deepMerge(FAST, { backtest: { end_date: '2021-12-31' } }));
    run(gen, ['run', 'sample']);
    const dir = makeWorkdir(deepMerge(FAST, { data: { source: 'csv' }, paths: { raw: 'raw/{ticker}.csv' } }));
    mkdirSync(join(dir, 'raw'));
    for (const t of ['NVDA', 'SPY']) writeFileSync(join(dir, `raw/${t}.csv`), readFileSync(join(gen, `data/raw/${t}_raw.csv`)));
    expect(trained(run(dir)).length).toBe(3 * 7);
    const models = readFileSync(join(dir, 'artifacts/models/ml/models.json'), 'utf8');
    writeSettings(dir, deepMerge(readSettings(dir), { backtest: { end_date: '2021-09-30' } }));
    // the next refit date after 2020-12-31
    const next = at('2020-12-31', 126);
    expect(next).toBe('2021-07-02');
    expect(trained(run(dir))).toEqual([1, 3, 5].map((h) => `lightgbm_v1_global_h${h}_v1@${next}`));
    const old = (JSON.parse(models) as { models: { file: string; contentHash: string }[] }).models;
    const now = (JSON.parse(readFileSync(join(dir, 'artifacts/models/ml/models.json'), 'utf8')) as { models: { file: string; contentHash: string }[] }).models;
    expect(now.filter((m) => m.file.includes(`@${next}`)).length).toBe(3);
    for (const m of old) expect(now.find((x) => x.file === m.file)!.contentHash).toBe(m.contentHash);
  });

  test('a fold the data does not reach yet is pending, named in the log, and has no model', () => {
    const dir = makeWorkdir(deepMerge(FAST, { data: { source: 'csv' }, paths: { raw: 'raw/{ticker}.csv' } }));
    const gen = makeWorkdir(FAST);
    run(gen, ['run', 'sample']);
    mkdirSync(join(dir, 'raw'));
    // cut the data at 2020-12-30: the fold from 2020-12-31 cannot train yet
    for (const t of ['NVDA', 'SPY']) {
      const lines = readFileSync(join(gen, `data/raw/${t}_raw.csv`), 'utf8').trimEnd().split('\n');
      writeFileSync(join(dir, `raw/${t}.csv`), lines.filter((l, i) => i === 0 || l.slice(0, 10) <= '2020-12-30').join('\n') + '\n');
    }
    const r = dagIn(dir, ['run', 'backtest']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain("lightgbm_v1_global_h1_v1@2020-12-31: no model yet: the data ends 2020-12-30, before the fold's first prediction date 2020-12-31");
    const files = (JSON.parse(readFileSync(join(dir, 'artifacts/models/ml/models.json'), 'utf8')) as { models: { file: string }[] }).models.map((m) => m.file);
    expect(files.length).toBe(3 * 6);
    expect(files.some((f) => f.includes('2020-12-31'))).toBe(false);
  });
});

describe('training with one or two workers', () => {
  test('--concurrency 1 and --concurrency 2 give the same bytes in every artifact', () => {
    const one = makeWorkdir(FAST);
    const two = makeWorkdir(FAST);
    run(one, ['run', 'backtest', '--concurrency', '1']);
    run(two, ['run', 'backtest', '--concurrency', '2']);
    expect(differingFiles(one, two)).toEqual([]);
  });
});
