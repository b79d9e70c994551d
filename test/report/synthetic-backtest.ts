/** A synthetic two-year, three-ticker run of meta-model -> sizing -> backtest -> summary, for report tests. */
import { createRng } from '../../lib/core/rng.js';
import { computeAttribution } from '../../lib/market/backtest/attribution.js';
import { runBacktest } from '../../lib/market/backtest/engine.js';
import { computeSummary } from '../../lib/market/backtest/summary.js';
import { combineAlpha } from '../../lib/market/meta/combine-alpha.js';
import { applyPortfolioRules } from '../../lib/market/risk/portfolio-rules.js';
import { targetWeights } from '../../lib/market/risk/sizing.js';
import type { ReportInput } from '../../lib/report/render-report.js';

function businessDays(start: string, count: number): string[] {
  const out: string[] = [];
  const d = new Date(`${start}T00:00:00Z`);
  while (out.length < count) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export function syntheticReportInput(seed = 11): ReportInput {
  const rng = createRng(seed);
  const n = 504;
  const dates = businessDays('2023-01-02', n);
  const tickers = ['AAA', 'BBB', 'SPY'];
  const bullP = new Float64Array(n);
  const bearP = new Float64Array(n);
  let bull = true;
  for (let t = 0; t < n; t++) {
    if (t % 80 === 79) bull = !bull;
    bullP[t] = t < 20 ? NaN : bull ? 0.8 : 0.3;
    bearP[t] = t < 20 ? NaN : 1 - bullP[t];
  }
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  const weights: Float64Array[] = [];
  const contributions: Record<string, Record<string, Float64Array>> = {};
  tickers.forEach((tk, i) => {
    const o = new Float64Array(n);
    const c = new Float64Array(n);
    let p = 100 + 20 * i;
    for (let t = 0; t < n; t++) {
      const drift = Number.isNaN(bullP[t]) || bullP[t] > 0.5 ? 0.0008 : -0.0006;
      o[t] = p * (1 + 0.004 * rng.normal());
      p = o[t] * (1 + drift + 0.012 * rng.normal());
      c[t] = p;
    }
    const comp = (f: (t: number) => number) => Float64Array.from({ length: n }, (_, t) => f(t));
    const trend = comp((t) => (t < 20 ? NaN : Math.tanh((c[t] / c[t - 20] - 1) * 10)));
    const mr = comp((t) => (t < 5 ? NaN : -Math.tanh((c[t] / c[t - 5] - 1) * 20)));
    const vol = comp(() => 0.2 * rng.normal());
    const rs = comp(() => 0.3 * rng.normal());
    const ml = comp((t) => (t < 120 ? NaN : Math.tanh(rng.normal())));
    const { alpha_score, contrib } = combineAlpha({
      components: { trend_alpha: trend, mean_reversion_alpha: mr, vol_alpha: vol, rel_strength_alpha: rs, ml_score: ml },
      regimeProbs: { bull: bullP, bear: bearP },
      weights: {
        bull: { trend_alpha: 0.5, mean_reversion_alpha: 0.1, vol_alpha: 0.1, rel_strength_alpha: 0.1, ml_score: 0.2 },
        bear: { trend_alpha: 0.1, mean_reversion_alpha: 0.5, vol_alpha: 0.1, rel_strength_alpha: 0.1, ml_score: 0.2 },
      },
    });
    const rv = comp((t) => {
      if (t < 20) return NaN;
      let s = 0;
      let s2 = 0;
      for (let k = t - 19; k <= t; k++) {
        const x = c[k] / c[k - 1] - 1;
        s += x;
        s2 += x * x;
      }
      return Math.sqrt(((s2 - (s * s) / 20) / 19) * 252);
    });
    open.push(o);
    close.push(c);
    weights.push(targetWeights(alpha_score, rv, { target_vol: 0.15, max_weight: 0.4, min_vol: 0.02 }));
    contributions[tk] = contrib;
  });
  const targetWeight = applyPortfolioRules(weights, { max_gross: 1, long_only: false });
  const regime = dates.map((_, t) => (Number.isNaN(bullP[t]) ? '' : bullP[t] > 0.5 ? 'bull' : 'bear'));
  const result = runBacktest({
    dates, tickers, open, close, targetWeight, execution: 'next_open', commission_bps: 1, slippage_bps: 2,
    initial_capital: 1e6, cash_rate: 0.02, benchmarkClose: close[2], regime,
  });
  const summary = computeSummary({ ...result, contributions, risk_free_rate: 0.02 });
  const attribution = computeAttribution({ ...result, contributions });
  return { summary, pnl: result.pnl, attribution, strategyName: 'Synthetic <hybrid> & alpha' };
}
