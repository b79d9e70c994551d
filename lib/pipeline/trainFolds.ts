import { addTradingDays } from '../core/calendar.js';
import type { Settings } from '../core/settings.js';
import { GLOBAL_SCOPE, modelId } from '../market/ml/registry.js';
import { sampleEnd } from './sampleWindow.js';

/** One walk-forward model to train: the element of the `train` node's fan-out. */
export interface TrainFold {
  /** `<model id>@<first prediction date>`: the instance name and the model's file name. */
  key: string;
  model: string;
  modelName: string;
  version: number;
  horizon: number;
  scope: string;
  /** Inclusive date bounds of training rows (null: from the first row). */
  trainFirst: string | null;
  trainLast: string;
  /** The window this model predicts until the next fold takes over. */
  predictFirst: string;
  predictLast: string;
  /** GBDT parameters: ml.params with this horizon's ml.horizon_params on top. */
  params: Record<string, number>;
}

/** The config keys trainFolds reads (the node's `fanout.from` in pipeline.dag.yaml). */
export type FoldConfig = Pick<Settings, 'ml' | 'tickers'> & {
  backtest: Pick<Settings['backtest'], 'start_date' | 'end_date'>;
  data: { source: Settings['data']['source']; sample: Pick<Settings['data']['sample'], 'extra_days'> };
};

/**
 * The walk-forward models the backtest and daily mode use, planned from the config and the NYSE
 * calendar alone (no data is read at plan time). Folds start on backtest.start_date: the meta
 * model, positions and the backtest read predictions row by row from that date, and nothing
 * earlier (the first decision is the start date's close). Each fold predicts `refit_every`
 * trading days; they follow each other up to the last date the config says the data reaches
 * (backtest.end_date, or for the sample market its `extra_days` beyond), and the last one is the
 * model daily mode keeps predicting with. History before the start only adds training rows. With
 * E = horizon + walk_forward.embargo, a fold predicting from p trains on rows dated up to E + 1
 * trading days before p (and, in train.ts, only rows whose label ended before p).
 */
export default function trainFolds(cfg: FoldConfig): TrainFold[] {
  const { ml } = cfg;
  const wf = ml.walk_forward;
  const first = addTradingDays(cfg.backtest.start_date, 0);
  const last = cfg.data.source === 'sample' ? sampleEnd(cfg.backtest.end_date, cfg.data.sample.extra_days) : cfg.backtest.end_date;
  const starts: string[] = [];
  for (let p = first; p <= last; p = addTradingDays(p, wf.refit_every)) starts.push(p);
  const scopes = ml.scope === 'global' ? [GLOBAL_SCOPE] : cfg.tickers;
  const out: TrainFold[] = [];
  for (const h of ml.horizons) {
    const E = h + wf.embargo;
    const params = { ...ml.params, ...(ml.horizon_params[String(h)] ?? {}), num_class: 3, seed: ml.seed };
    for (const scope of scopes) {
      const model = modelId(ml.model_name, scope, h, ml.version);
      for (const p of starts) {
        out.push({
          key: `${model}@${p}`, model, modelName: ml.model_name, version: ml.version, horizon: h, scope,
          trainFirst: wf.window === 'rolling' ? addTradingDays(p, -(E + wf.window_days)) : null,
          trainLast: addTradingDays(p, -(E + 1)),
          predictFirst: p,
          predictLast: addTradingDays(p, wf.refit_every - 1),
          params,
        });
      }
    }
  }
  return out;
}
