import { z } from 'zod';
import { readYamlFile, validateWith } from '../dag/yamlFile.js';
import { cacheSettingsSchema } from '../dag/store/settings.js';
import { executorSettingsSchema } from '../dag/executor/settings.js';
import { marketSymbols } from './symbols.js';

// Date.parse accepts 2025-02-30 (rolls over to March), so check the round trip
const isRealDate = (d: string) => {
  const ms = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === d;
};
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine(isRealDate, 'is not a real date');
// A ticker becomes part of file paths: only plain symbols, so '../x' can never escape a folder.
const ticker = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.\-]{0,14}$/, 'must be a plain ticker symbol (letters, digits, . or -)');
const posInt = z.number().int().positive();
// a value listed twice would name one feature column, one model or one fold twice
const distinct = (list: z.ZodArray<z.ZodNumber>) => list.superRefine((xs, ctx) => {
  const dup = xs.find((x, i) => xs.indexOf(x) !== i);
  if (dup !== undefined) ctx.addIssue({ code: 'custom', message: `lists ${dup} twice` });
});
const lookbackList = distinct(z.array(posInt).min(1));
// windows of moving averages and standard deviations need at least two values
const windowList = distinct(z.array(z.number().int().min(2, 'must be a window of at least 2 rows')).min(1));

/** The GBDT parameters a user may set, and their defaults. */
const GBDT_PARAMS = {
  num_leaves: z.number().int().min(2),
  max_depth: z.number().int().min(1),
  min_data_in_leaf: posInt,
  min_sum_hessian_in_leaf: z.number().nonnegative(),
  lambda_l2: z.number().nonnegative(),
  learning_rate: z.number().gt(0).max(1),
  num_rounds: posInt,
  feature_fraction: z.number().gt(0).max(1),
  bagging_fraction: z.number().gt(0).max(1),
  bagging_freq: z.number().int().nonnegative(),
  early_stopping_rounds: posInt,
  max_bin: z.number().int().min(2).max(255),
};
const GBDT_DEFAULTS: { [K in keyof typeof GBDT_PARAMS]: number } = {
  num_leaves: 15, max_depth: 6, min_data_in_leaf: 50, min_sum_hessian_in_leaf: 1e-3, lambda_l2: 1, learning_rate: 0.05,
  num_rounds: 150, feature_fraction: 0.8, bagging_fraction: 0.8, bagging_freq: 1, early_stopping_rounds: 20, max_bin: 255,
};
function gbdtParamsWithDefaults() {
  return Object.fromEntries(Object.entries(GBDT_PARAMS).map(([k, v]) => [k, v.default(GBDT_DEFAULTS[k as keyof typeof GBDT_PARAMS])])) as {
    [K in keyof typeof GBDT_PARAMS]: z.ZodDefault<(typeof GBDT_PARAMS)[K]>;
  };
}

const settingsSchema = z
  .strictObject({
    tickers: z.array(ticker).min(1, 'must list at least one ticker'),
    benchmark: ticker,
    data: z.strictObject({
      source: z.enum(['sample', 'csv']).default('sample'),
      on_bad_rows: z.enum(['error', 'drop']).default('error'),
      /** With on_bad_rows: drop, the largest share of a ticker's raw rows that may be dropped. */
      max_drop_share: z.number().min(0).max(1).default(0.01),
      /** Longest run of missing trading days (NYSE calendar) between two consecutive raw rows. */
      max_gap_days: posInt.default(20),
      on_gap: z.enum(['error', 'drop']).default('error'),
      /** A day's close beyond (1 + this) times, or 1 / (1 + this) of, the previous is a price_jump warning. */
      max_daily_move: z.number().positive().default(0.75),
      sample: z.strictObject({
        seed: z.number().int().nonnegative().default(42),
        /** Trading days appended after backtest.end_date (the daily mode's `--extend` adds to it). */
        extra_days: z.number().int().nonnegative().default(0),
      }).prefault({}),
    }).prefault({}),
    backtest: z.strictObject({
      start_date: isoDate,
      end_date: isoDate,
      strategy_name: z.string().regex(/^[A-Za-z0-9_\-]+$/, 'must be letters, digits, _ or -'),
      initial_capital: z.number().positive().default(1_000_000),
      execution: z.enum(['next_open', 'next_close']).default('next_open'),
      commission_bps: z.number().nonnegative().default(1),
      slippage_bps: z.number().nonnegative().default(2),
      risk_free_rate: z.number().min(0).max(1).default(0),
      cash_rate: z.number().min(0).max(1).default(0),
      /** A ticker whose bars stop before the backtest's last date: cash out at its last close, or keep it at that mark. */
      on_delisting: z.enum(['close', 'hold']).default('close'),
    }),
    features: z.strictObject({
      lookbacks: z.strictObject({ sma: windowList, returns: lookbackList, realized_vol: windowList }),
      volume_z: z.number().int().min(2).default(20),
      rs: lookbackList.default([20, 60]),
    }),
    signals: z.strictObject({
      trend: z.strictObject({ windows: lookbackList.default([20, 50, 200]), vol_window: posInt.default(20), scale: z.number().positive().default(1) }).prefault({}),
      mean_reversion: z.strictObject({ window: posInt.default(10), scale: z.number().positive().default(2) }).prefault({}),
      vol: z.strictObject({ short_window: posInt.default(10), long_window: posInt.default(60), scale: z.number().positive().default(0.5) }).prefault({}),
      rel_strength: z.strictObject({ window: posInt.default(20), vol_window: posInt.default(60), scale: z.number().positive().default(1) }).prefault({}),
    }).prefault({}),
    labels: z.strictObject({
      vol_window: posInt.default(20),
      threshold: z.number().positive().default(0.5),
    }).prefault({}),
    regime: z.strictObject({
      method: z.enum(['hmm', 'rules']).default('hmm'),
      /** State naming order: by volatility (stable across refits on real data) or by mean return. */
      order: z.enum(['volatility', 'return']).default('volatility'),
      k: z.number().int().min(2).max(6).default(3),
      seed: z.number().int().nonnegative().default(7),
      restarts: posInt.default(4),
      tol: z.number().positive().default(1e-6),
      max_iter: posInt.default(200),
      vol_window: posInt.default(20),
      refit_every: posInt.default(252),
      min_train: posInt.default(504),
      window: z.enum(['expanding', 'rolling']).default('expanding'),
      window_days: posInt.default(1260),
      rules: z.strictObject({
        sma: posInt.default(200),
        vol_window: posInt.default(20),
        vol_percentile: z.number().gt(0).lt(1).default(0.8),
        percentile_window: posInt.default(252),
      }).prefault({}),
    }).prefault({}),
    ml: z.strictObject({
      horizons: distinct(z.array(posInt).min(1)),
      model_name: z.string().regex(/^[A-Za-z0-9_\-]+$/, 'must be letters, digits, _ or -'),
      version: posInt.default(1),
      scope: z.enum(['ticker', 'global']).default('global'),
      seed: z.number().int().nonnegative().default(11),
      params: z.strictObject(gbdtParamsWithDefaults()).prefault({}),
      /** Per-horizon overrides of `params`, keyed by horizon: only that horizon's models change. */
      horizon_params: z.record(z.string().regex(/^[1-9][0-9]*$/, 'must be a horizon listed in ml.horizons'), z.strictObject(GBDT_PARAMS).partial()).default({}),
      walk_forward: z.strictObject({
        window: z.enum(['expanding', 'rolling']).default('expanding'),
        window_days: posInt.default(1260),
        refit_every: posInt.default(252),
        min_train: posInt.default(504),
        /** Extra trading days beyond the horizon between the last training label and the first prediction. */
        embargo: z.number().int().nonnegative().default(0),
        valid_fraction: z.number().gt(0).lt(0.5).default(0.2),
      }).prefault({}),
    }),
    risk: z.strictObject({
      target_vol: z.number().positive('must be positive'),
      max_weight: z.number().positive().max(1),
      max_gross: z.number().positive().default(1),
      long_only: z.boolean().default(false),
      min_vol: z.number().positive().default(0.02),
      /** Window of the features layer's rv_{n} used for sizing. */
      vol_window: posInt.default(20),
    }),
    /** Where results are kept and shared (read by the engine, never by a task; see lib/dag/store/settings.ts). */
    cache: cacheSettingsSchema.optional(),
    executor: executorSettingsSchema.optional(),
    paths: z.strictObject({
      data_root: z.string().min(1).default('data'),
      raw: z.string().min(1).default('{data_root}/raw/{ticker}_raw.csv'),
    }).prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.backtest.start_date >= s.backtest.end_date) {
      ctx.addIssue({ code: 'custom', path: ['backtest', 'start_date'], message: `start_date ${s.backtest.start_date} is not before end_date ${s.backtest.end_date}` });
    }
    const dup = s.tickers.find((t, i) => s.tickers.indexOf(t) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['tickers'], message: `ticker '${dup}' is listed twice` });
    // signals read feature columns, so every window they use must be computed by features
    const need = (n: number, key: 'lookbacks.sma' | 'lookbacks.realized_vol' | 'rs') => {
      const list = key === 'rs' ? s.features.rs : s.features.lookbacks[key === 'lookbacks.sma' ? 'sma' : 'realized_vol'];
      if (!list.includes(n)) ctx.addIssue({ code: 'custom', path: ['signals'], message: `a signal uses window ${n}, which features.${key} does not list` });
    };
    for (const n of [...s.signals.trend.windows, s.signals.mean_reversion.window]) need(n, 'lookbacks.sma');
    for (const n of [s.signals.trend.vol_window, s.signals.vol.short_window, s.signals.vol.long_window, s.signals.rel_strength.vol_window]) need(n, 'lookbacks.realized_vol');
    need(s.signals.rel_strength.window, 'rs');
    if (!s.features.lookbacks.realized_vol.includes(s.risk.vol_window)) {
      ctx.addIssue({ code: 'custom', path: ['risk', 'vol_window'], message: `rv_${s.risk.vol_window} is not computed: add ${s.risk.vol_window} to features.lookbacks.realized_vol` });
    }
    for (const [key, wf] of [['regime', s.regime], ['ml.walk_forward', s.ml.walk_forward]] as const) {
      if (wf.window === 'rolling' && wf.window_days < wf.min_train) {
        ctx.addIssue({ code: 'custom', path: [...key.split('.'), 'window_days'], message: `a rolling window of ${wf.window_days} rows cannot hold min_train = ${wf.min_train} rows` });
      }
    }
    for (const h of Object.keys(s.ml.horizon_params)) {
      if (!s.ml.horizons.includes(Number(h))) {
        ctx.addIssue({ code: 'custom', path: ['ml', 'horizon_params', h], message: `horizon ${h} is not listed in ml.horizons (${s.ml.horizons.join(', ')})` });
      }
    }
    if (!s.paths.raw.includes('{ticker}')) {
      ctx.addIssue({ code: 'custom', path: ['paths', 'raw'], message: "must contain '{ticker}'" });
    }
  });

/**
 * The validated settings plus `symbols`, derived and never read from the file: every symbol whose
 * bars the pipeline loads, i.e. `tickers` followed by the benchmark when it is not one of them (an
 * index used for relative strength, regimes and the benchmark return, but never traded).
 */
export type Settings = z.infer<typeof settingsSchema> & { symbols: string[] };

/** Parse and validate a settings file; every problem names the file and the key path. */
export function loadConfig(file: string): Settings {
  return parseSettings(readYamlFile(file), file);
}

export function parseSettings(raw: unknown, file: string): Settings {
  const s = validateWith(settingsSchema, raw ?? {}, file);
  // `{data_root}` in paths.raw is shorthand for the configured data root
  s.paths.raw = s.paths.raw.replaceAll('{data_root}', s.paths.data_root);
  return { ...s, symbols: marketSymbols(s.tickers, s.benchmark) };
}
