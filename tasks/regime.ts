import type { TaskContext } from '../lib/dag/context.js';
import { filterProbs, mostLikelyStates, regimeObservations, regimeObservationWeights, ruleRegimes, validRowIndices, walkForwardRegimes, type HmmModel } from '../lib/market/regime/index.js';
import { tableToBars } from '../lib/pipeline/frames.js';
import { lowerBound, stringColumn, type Table } from '../lib/io/table.js';
import type { Settings } from '../lib/core/settings.js';

interface StoredRegime {
  method: 'hmm' | 'rules';
  names: string[];
  /** Rows (benchmark dates) the artifact covers and the last one. */
  rows: number;
  last_date: string;
  /** Row index of the next walk-forward refit (hmm). */
  next_refit_row: number | null;
  /** Forward-filter state after the last row (hmm), so a daily run continues the filter. */
  state: number[] | null;
  fits: { fit_date: string; train_start: string; train_end: string; logLik: number; iterations: number; model: HmmModel }[];
}

/**
 * Node `regime`: market regime per benchmark date. Filtered probabilities only (forward
 * algorithm); each walk-forward fit saw only rows before the first date it is used for.
 */
export default async function regime(ctx: TaskContext): Promise<void> {
  const benchmark = ctx.param<string>('benchmark');
  const cfg = ctx.param<Settings['regime']>('regime');
  const path = ctx.input('processed', benchmark, '.parquet');
  const bars = tableToBars(await ctx.readTable(path), path);
  const outTable = ctx.output(undefined, '.parquet');
  const outModel = ctx.output(undefined, '.json');

  if (cfg.method === 'rules') {
    const r = ruleRegimes(bars.close, cfg.rules);
    if (!r.labels.some((l) => l !== '')) {
      throw new Error(
        `regime: the rule-based regime is undefined on all ${bars.date.length} rows of the benchmark ${benchmark}: its first label needs ` +
          `regime.rules.sma = ${cfg.rules.sma} closes and regime.rules.percentile_window = ${cfg.rules.percentile_window} past volatilities. ` +
          'Every alpha would be null: give the benchmark a longer history, or shorten those windows',
      );
    }
    await writeRegimes(ctx, outTable, bars.date, r.names, r.probs, r.labels);
    ctx.writeJson(outModel, { method: 'rules', names: r.names, rules: cfg.rules, rows: bars.date.length, last_date: bars.date.at(-1), next_refit_row: null, state: null, fits: [] });
    return;
  }

  const obs = regimeObservations(bars.close, { vol_window: cfg.vol_window });
  if (ctx.spec.mode === 'incremental' && ctx.spec.since) {
    const continued = await continueFilter(ctx, outTable, outModel, bars.date, obs);
    if (continued) return;
    ctx.log('a walk-forward refit is due or the stored state does not match: recomputing regimes in full');
  }
  const wf = walkForwardRegimes(bars.date, obs, {
    k: cfg.k, seed: cfg.seed, restarts: cfg.restarts, tol: cfg.tol, maxIter: cfg.max_iter,
    refit_every: cfg.refit_every, min_train: cfg.min_train, window: cfg.window, window_days: cfg.window_days, order: cfg.order,
    weights: regimeObservationWeights({ vol_window: cfg.vol_window }),
  });
  if (wf.fits.length === 0) throw new Error(neverFitted(benchmark, cfg, bars.date.length, validRowIndices(obs).length));
  await writeRegimes(ctx, outTable, bars.date, wf.names, wf.probs, wf.labels);
  const lastFitRow = wf.fits.length ? lowerBound(bars.date, wf.fits.at(-1)!.fit_date) : null;
  const stored: StoredRegime = {
    method: 'hmm',
    names: wf.names,
    rows: bars.date.length,
    last_date: bars.date.at(-1)!,
    next_refit_row: lastFitRow === null ? null : lastFitRow + cfg.refit_every,
    state: wf.state,
    fits: wf.fits,
  };
  ctx.writeJson(outModel, stored);
  const last = wf.fits.at(-1);
  if (last) ctx.log(`${wf.fits.length} walk-forward fits; last on ${last.train_start} .. ${last.train_end}, log-likelihood ${last.logLik.toFixed(1)} after ${last.iterations} iterations`);
}

/**
 * Daily mode: run the forward filter over the new rows from the stored state with the last
 * fitted model. Returns false when that would differ from a full run (a refit falls in the new
 * rows, or the stored artifact does not end where the new rows begin).
 */
async function continueFilter(ctx: TaskContext, outTable: string, outModel: string, dates: string[], obs: Float64Array[]): Promise<boolean> {
  const old = await ctx.readOwnTable(outTable);
  const modelText = old ? ctx.readOwnText(outModel) : null;
  if (!old || !modelText) return false;
  const stored = JSON.parse(modelText) as StoredRegime;
  const from = stored.rows;
  if (stored.method !== 'hmm' || !stored.state || stored.next_refit_row === null || dates[from - 1] !== stored.last_date) return false;
  if (dates.length > stored.next_refit_row || old.length !== from) return false;
  const model = stored.fits.at(-1)!.model;
  const seg = filterProbs(model, obs.map((c) => c.subarray(from)), stored.state);
  const n = dates.length;
  const probs = stored.names.map((name, s) => {
    const col = new Float64Array(n);
    col.set(old.columns[`p_${name}`] as Float64Array);
    col.set(seg.probs[s], from);
    return col;
  });
  const labels = [...stringColumn(old, 'regime', outTable), ...mostLikelyStates(seg.probs, stored.names)];
  await writeRegimes(ctx, outTable, dates, stored.names, probs, labels);
  ctx.writeJson(outModel, { ...stored, rows: n, last_date: dates[n - 1], state: seg.state });
  return true;
}

/** Why a run without a single fit fails: with no regime probabilities every alpha would be null. */
function neverFitted(benchmark: string, cfg: Settings['regime'], rows: number, usable: number): string {
  return (
    `regime: the regime model was never fitted: the benchmark ${benchmark} has ${usable} of ${rows} rows with a usable observation ` +
    `(a daily log return and a non-zero ${cfg.vol_window}-day volatility; constant prices have none), and the first fit needs ` +
    `regime.min_train = ${cfg.min_train}. Every regime probability, and so every alpha, would be null: give the benchmark a longer ` +
    'history that moves, lower regime.min_train, or set regime.method: rules'
  );
}

async function writeRegimes(ctx: TaskContext, out: string, dates: string[], names: string[], probs: Float64Array[], labels: string[]): Promise<void> {
  const columns: Table['columns'] = { date: dates, regime: labels };
  names.forEach((name, s) => (columns[`p_${name}`] = probs[s]));
  await ctx.writeTable(out, { length: dates.length, columns }, [
    { name: 'date', kind: 'date' },
    { name: 'regime', kind: 'string' },
    ...names.map((name) => ({ name: `p_${name}`, kind: 'double' as const })),
  ]);
}
