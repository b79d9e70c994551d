/**
 * Layers 4-6 (regime, train, predict) end to end on the sample market with the DEFAULT settings
 * (2015-2025 backtest): one `dag run backtest` in beforeAll, then every check reads the
 * artifacts and recomputes what it asserts on its own (DuckDB for parquet, onnxruntime-node run
 * directly, the sample market's hidden regime path, brute force over label permutations).
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as ort from 'onnxruntime-node';
import { REPO, dagIn, makeWorkdir } from '../support/pipeline.js';
import { numbers, permutations, readParquet } from './l46-support.js';
import type { FoldMetrics } from '../../lib/market/ml/registry.js';

interface FoldEntry {
  id: string;
  horizon: number;
  file: string;
  featureNames: string[];
  classes: string[];
  trainWindow: { first: string; last: string; labelEnd: string };
  predictFirst: string;
  predictLast: string;
  contentHash: string;
}
interface ModelMetric {
  model: string;
  horizon: number;
  folds: FoldMetrics[];
  rows: number;
  logLoss: number;
  priorLogLoss: number;
  accuracy: number;
}

const TICKERS = ['NVDA', 'MSFT', 'SPY'];
const HORIZONS = [1, 3, 5];
const LOG_EPS = 1e-15;

let dir = '';
let registry: { features: string[]; models: FoldEntry[] };
const features: Record<string, Awaited<ReturnType<typeof readParquet>>> = {};
const predictions: Record<string, Awaited<ReturnType<typeof readParquet>>> = {};

beforeAll(async () => {
  dir = makeWorkdir();
  const r = dagIn(dir, ['run', 'backtest']);
  if (r.code !== 0) throw new Error(`dag run backtest failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  registry = JSON.parse(readFileSync(join(dir, 'artifacts/models/ml/models.json'), 'utf8'));
  for (const t of TICKERS) {
    features[t] = await readParquet(join(dir, `artifacts/features/${t}.parquet`));
    predictions[t] = await readParquet(join(dir, `artifacts/predictions/${t}.parquet`));
  }
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Per ticker and horizon: labelled rows (class 0/1/2 and defined h rows ahead) as date -> class. */
function labels(t: string, h: number): Map<string, number> {
  const dates = features[t].columns.date as string[];
  const y = numbers(features[t].columns[`target_state_h${h}`]);
  const out = new Map<string, number>();
  for (let i = 0; i + h < dates.length; i++) if (!Number.isNaN(y[i])) out.set(dates[i], y[i]);
  return out;
}

describe('regime: the filtered HMM regime recovers the hidden one', () => {
  test('agreement with data/raw/_sample_regimes.csv >= 70% under the best one-to-one naming', async () => {
    const reg = await readParquet(join(dir, 'artifacts/regimes/SPY.parquet'));
    const truthText = readFileSync(join(dir, 'data/raw/_sample_regimes.csv'), 'utf8').trim().split('\n');
    expect(truthText[0]).toBe('date,regime');
    const truth = new Map(truthText.slice(1).map((l) => l.split(',') as [string, string]));
    const TRUE_NAMES = ['bull', 'bear', 'highvol'];
    expect(new Set(truth.values())).toEqual(new Set(TRUE_NAMES));

    const pairs: [string, string][] = [];
    const dates = reg.columns.date as string[];
    const label = reg.columns.regime as (string | null)[];
    dates.forEach((d, i) => {
      if (label[i]) pairs.push([label[i]!, truth.get(d)!]);
    });
    expect(pairs.every(([, t]) => t !== undefined)).toBe(true);
    expect(pairs.length).toBeGreaterThan(2000);
    const hmmNames = [...new Set(pairs.map(([h]) => h))].sort();
    expect(hmmNames).toHaveLength(3);
    let best = 0;
    for (const p of permutations(3)) {
      const map = new Map(hmmNames.map((n, i) => [n, TRUE_NAMES[p[i]]]));
      const hits = pairs.filter(([h, t]) => map.get(h) === t).length;
      best = Math.max(best, hits / pairs.length);
    }
    expect(best).toBeGreaterThanOrEqual(0.7);

    // the probabilities behind the label: one column per name, summing to 1, the label their argmax
    for (const n of hmmNames) expect(reg.names).toContain(`p_${n}`);
    const probs = hmmNames.map((n) => numbers(reg.columns[`p_${n}`]));
    dates.forEach((_, i) => {
      if (!label[i]) return void expect(probs.every((p) => Number.isNaN(p[i]))).toBe(true);
      expect(Math.abs(probs.reduce((s, p) => s + p[i], 0) - 1)).toBeLessThan(1e-9);
      const arg = probs.reduce((a, p, s) => (p[i] > probs[a][i] ? s : a), 0);
      expect(hmmNames[arg]).toBe(label[i]);
    });
  });
});

describe('train: walk-forward folds', () => {
  test('every fold: labels end before its first prediction, with at least h trading days after the last training row', () => {
    const calendar = features.SPY.columns.date as string[];
    const at = new Map(calendar.map((d, i) => [d, i]));
    // roughly yearly refits over 2013-2024 (the calendar depends on the sample's warm-up)
    for (const h of HORIZONS) expect(registry.models.filter((m) => m.horizon === h).length).toBeGreaterThanOrEqual(9);
    for (const m of registry.models) {
      expect(m.trainWindow.labelEnd < m.predictFirst).toBe(true);
      const last = at.get(m.trainWindow.last)!;
      // independently: the label of the last training row ends h trading days later
      expect(calendar[last + m.horizon]).toBe(m.trainWindow.labelEnd);
      expect(at.get(m.predictFirst)! - last).toBeGreaterThan(m.horizon);
    }
    // per horizon the folds tile the prediction period in date order
    for (const h of HORIZONS) {
      const folds = registry.models.filter((m) => m.horizon === h);
      for (let k = 1; k < folds.length; k++) expect(at.get(folds[k].predictFirst)).toBe(at.get(folds[k - 1].predictLast)! + 1);
    }
  });

  test('each fold file is on disk with its sidecar; the content hash is the sha256 of the ONNX bytes', () => {
    for (const m of registry.models) {
      const bytes = readFileSync(join(dir, 'artifacts/models/ml', m.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(m.contentHash);
      const sidecar = JSON.parse(readFileSync(join(dir, 'artifacts/models/ml', m.file.replace(/\.onnx$/, '.json')), 'utf8'));
      expect(sidecar.trainWindow).toEqual(m.trainWindow);
      expect(sidecar.featureNames).toEqual(registry.features);
      expect(sidecar.classes).toEqual(['down', 'flat', 'up']);
    }
  });
});

describe('predict: ONNX probabilities from the right fold model', () => {
  test('p_* equal a fresh onnxruntime-node run of the latest model whose labels ended before each date', async () => {
    const f = registry.features.length;
    const sessions = new Map<string, ort.InferenceSession>();
    let compared = 0;
    let maxDiff = 0;
    for (const t of TICKERS) {
      const dates = features[t].columns.date as string[];
      const n = dates.length;
      const X = new Float64Array(n * f);
      registry.features.forEach((name, j) => numbers(features[t].columns[name]).forEach((v, i) => (X[i * f + j] = v)));
      const pred = predictions[t];
      expect(pred.columns.date).toEqual(dates);
      const score = new Float64Array(n);
      const scored = new Int32Array(n);
      for (const h of HORIZONS) {
        const folds = registry.models.filter((m) => m.horizon === h);
        // independent fold assignment: the model with the latest labelEnd before the date
        const chosen = dates.map((d) => {
          let best: FoldEntry | null = null;
          for (const m of folds) if (m.trainWindow.labelEnd < d && (!best || m.trainWindow.labelEnd > best.trainWindow.labelEnd)) best = m;
          return best;
        });
        const p = ['down', 'flat', 'up'].map((c) => numbers(pred.columns[`p_${c}_h${h}`]));
        const mlScore = numbers(pred.columns[`ml_score_h${h}`]);
        const byFile = new Map<string, number[]>();
        chosen.forEach((m, i) => {
          if (!m) {
            // null before the first model exists
            expect([p[0][i], p[1][i], p[2][i], mlScore[i]].every(Number.isNaN)).toBe(true);
            return;
          }
          (byFile.get(m.file) ?? byFile.set(m.file, []).get(m.file)!).push(i);
        });
        expect(byFile.size).toBe(folds.length);
        for (const [file, rows] of byFile) {
          let session = sessions.get(file);
          if (!session) {
            session = await ort.InferenceSession.create(readFileSync(join(dir, 'artifacts/models/ml', file)), { intraOpNumThreads: 1, interOpNumThreads: 1 });
            sessions.set(file, session);
          }
          const input = new Float64Array(rows.length * f);
          rows.forEach((i, k) => input.set(X.subarray(i * f, (i + 1) * f), k * f));
          const out = await session.run({ X: new ort.Tensor('float64', input, [rows.length, f]) });
          const probs = out.probabilities.data as Float64Array;
          expect(out.probabilities.dims).toEqual([rows.length, 3]);
          rows.forEach((i, k) => {
            for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(p[c][i] - probs[k * 3 + c]));
            expect(Math.abs(p[0][i] + p[1][i] + p[2][i] - 1)).toBeLessThan(1e-12);
            expect(mlScore[i]).toBeCloseTo(p[2][i] - p[0][i], 12);
            score[i] += (p[2][i] - p[0][i]) / HORIZONS.length;
            scored[i]++;
          });
          compared += rows.length;
        }
      }
      // ml_score: the mean over horizons of p_up - p_down, null until every horizon has a model
      const total = numbers(pred.columns.ml_score);
      total.forEach((v, i) => {
        if (scored[i] < HORIZONS.length) expect(v).toBeNaN();
        else expect(v).toBeCloseTo(score[i], 12);
      });
    }
    for (const s of sessions.values()) await s.release();
    expect(compared).toBeGreaterThan(20_000);
    expect(maxDiff).toBeLessThan(1e-6);
  });
});

describe('train: the models learn (out-of-sample log loss against the class prior)', () => {
  test('fold metrics recomputed from predictions and labels; headline = row-weighted mean; some horizon beats the prior', () => {
    const metrics = JSON.parse(readFileSync(join(dir, 'artifacts/models/ml_metrics/metrics.json'), 'utf8')) as { models: ModelMetric[] };
    expect(metrics.models.map((m) => m.horizon)).toEqual(HORIZONS);
    const lab = Object.fromEntries(TICKERS.map((t) => [t, Object.fromEntries(HORIZONS.map((h) => [h, labels(t, h)]))]));
    const beats: boolean[] = [];
    for (const mm of metrics.models) {
      const h = mm.horizon;
      const folds = registry.models.filter((m) => m.horizon === h);
      expect(mm.folds.map((x) => x.predictFirst)).toEqual(folds.map((x) => x.predictFirst));
      let rows = 0;
      let ll = 0;
      let prior = 0;
      mm.folds.forEach((fm, k) => {
        // test rows: every ticker's labelled rows in [predictFirst, predictLast], scored with the predictions
        let n = 0;
        let sum = 0;
        let hits = 0;
        const counts = [0, 0, 0];
        const testY: number[] = [];
        for (const t of TICKERS) {
          const dates = features[t].columns.date as string[];
          const p = ['down', 'flat', 'up'].map((c) => numbers(predictions[t].columns[`p_${c}_h${h}`]));
          dates.forEach((d, i) => {
            const y = lab[t][h].get(d);
            if (y === undefined) return;
            // training rows: labels that ended before the fold's first prediction
            if (dates[i + h] < folds[k].predictFirst) counts[y]++;
            if (d < fm.predictFirst || d > fm.predictLast) return;
            n++;
            testY.push(y);
            sum -= Math.log(Math.min(1, Math.max(p[y][i], LOG_EPS)));
            const arg = p[1][i] > p[0][i] ? (p[2][i] > p[1][i] ? 2 : 1) : p[2][i] > p[0][i] ? 2 : 0;
            if (arg === y) hits++;
          });
        }
        const nTrain = counts[0] + counts[1] + counts[2];
        const priorLoss = -testY.reduce((s, y) => s + Math.log(counts[y] / nTrain), 0) / n;
        expect(fm.rows).toBe(n);
        expect(Math.abs(fm.logLoss - sum / n)).toBeLessThan(1e-6);
        expect(Math.abs(fm.priorLogLoss - priorLoss)).toBeLessThan(1e-9);
        expect(Math.abs(fm.accuracy - hits / n)).toBeLessThan(2 / n);
        rows += n;
        ll += (sum / n) * n;
        prior += priorLoss * n;
      });
      // headline: row-weighted means of the folds
      expect(mm.rows).toBe(rows);
      expect(Math.abs(mm.logLoss - ll / rows)).toBeLessThan(1e-6);
      expect(Math.abs(mm.priorLogLoss - prior / rows)).toBeLessThan(1e-9);
      const wAcc = mm.folds.reduce((s, x) => s + x.accuracy * x.rows, 0) / rows;
      expect(Math.abs(mm.accuracy - wAcc)).toBeLessThan(1e-12);
      beats.push(ll / rows < prior / rows);
    }
    expect(beats).toContain(true);
  });
});

describe('a deleted model file makes only the registry and its dependants stale', () => {
  /** Nodes downstream of `root` in pipeline.dag.yaml (read here, not through the CLI). */
  function dependants(root: string): Set<string> {
    const spec = parse(readFileSync(join(REPO, 'pipeline.dag.yaml'), 'utf8')) as { nodes: { id: string; inputs?: unknown[] }[] };
    const out = new Set<string>();
    let grew = true;
    while (grew) {
      grew = false;
      for (const n of spec.nodes) {
        if (out.has(n.id)) continue;
        const ups = (n.inputs ?? []).flatMap((i) => (i && typeof i === 'object' && 'node' in i ? [String((i as { node: string }).node)] : []));
        if (ups.some((u) => u === root || out.has(u))) {
          out.add(n.id);
          grew = true;
        }
      }
    }
    return out;
  }

  test('status: the registry stale (output changed outside dag), its dependants stale upstream, every train instance fresh; run restores the bytes without retraining', () => {
    type Status = { instances: { node: string; ticker: string | null; state: string; reasons: string[] }[] };
    const key = (i: { node: string; ticker: string | null }) => `${i.node}${i.ticker ? `[${i.ticker}]` : ''}`;
    const initial = JSON.parse(dagIn(dir, ['status', '--json']).stdout) as Status;
    const built = new Set(initial.instances.filter((i) => i.state === 'fresh').map(key));
    for (const n of ['sample', 'processed[NVDA]', 'features[SPY]', 'signals[MSFT]', 'regime', 'registry', 'predict[NVDA]', 'meta[SPY]', 'positions', 'backtest', 'report']) expect(built.has(n)).toBe(true);

    const victim = registry.models.find((m) => m.horizon === 3 && m.predictFirst > '2018')!;
    const path = join(dir, 'artifacts/models/ml', victim.file);
    const before = readFileSync(path);
    unlinkSync(path);

    const st = dagIn(dir, ['status', '--json']);
    const status = JSON.parse(st.stdout) as Status;
    const down = dependants('registry');
    for (const n of ['predict', 'meta', 'positions', 'backtest', 'report']) expect(down.has(n)).toBe(true);
    for (const n of ['sample', 'processed', 'features', 'signals', 'regime', 'train']) expect(down.has(n)).toBe(false);
    const nodes = new Set(status.instances.map((i) => i.node));
    for (const n of ['sample', 'processed', 'features', 'signals', 'regime', 'train', 'registry', 'predict', 'meta', 'positions', 'backtest', 'report']) expect(nodes.has(n)).toBe(true);
    // one train instance per (horizon, fold), all fresh
    expect(status.instances.filter((i) => i.node === 'train' && i.state === 'fresh').length).toBe(registry.models.length);
    for (const i of status.instances.filter((x) => built.has(key(x)))) {
      const where = `${key(i)}: ${i.state} ${JSON.stringify(i.reasons)}`;
      if (i.node === 'registry') {
        expect(where).toMatch(/: stale /);
        expect(i.reasons.some((r) => /^output (modified outside dag|missing)/.test(r))).toBe(true);
      } else if (down.has(i.node)) {
        expect(where).toMatch(/: stale /);
        expect(i.reasons.some((r) => r.startsWith('upstream not fresh'))).toBe(true);
      } else {
        expect(where).toMatch(/: fresh /);
      }
    }

    const run = dagIn(dir, ['run', 'backtest', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { instances: { node: string; action: string }[] };
    // the models folder's key is in the store: the registry comes back from there, and no fold retrains
    expect(summary.instances.filter((i) => i.node === 'registry').map((i) => i.action)).toEqual(['restored']);
    for (const i of summary.instances) if (!down.has(i.node) && i.node !== 'registry') expect(`${i.node} ${i.action}`).not.toMatch(/ ran$/);
    expect(Buffer.compare(readFileSync(path), before)).toBe(0);
    const after = JSON.parse(dagIn(dir, ['status', '--json']).stdout) as Status;
    expect(after.instances.filter((i) => built.has(key(i)) && i.state !== 'fresh')).toEqual([]);
  });
});
