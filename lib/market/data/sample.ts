import { tradingDays } from '../../core/calendar.js';
import { createRng, deriveSeed } from '../../core/rng.js';
import { REGIME_NAMES, REGIME_VOL, simulateBenchmark } from './regime-process.js';
import { buildSampleBars } from './sample-bars.js';
import { simulateStock, stockParams } from './stock-process.js';
import { formatYahooCsv } from './yahoo-csv.js';

export interface SampleMarketOptions {
  tickers: string[];
  benchmark: string;
  start: string;
  end: string;
  seed: number;
}

export interface SampleMarket {
  /** Yahoo CSV text per ticker, the benchmark included. */
  files: Record<string, string>;
  /** The hidden benchmark state per day: `date,regime` CSV text. */
  regimes: string;
  /** The trading days of the sample. */
  calendar: string[];
}

const BENCHMARK_START_PRICE = 1000;
const BENCHMARK_VOLUME = 3e9;

/**
 * A synthetic market for the pipeline's default data source: a regime-switching benchmark
 * (index: no splits or dividends) and stocks with their own beta, drift, predictable
 * idiosyncratic part, splits and quarterly dividends, as unadjusted Yahoo CSVs with Adj Close.
 *
 * Deterministic in (seed, ticker name, start); each ticker's stream depends on nothing else, so
 * adding tickers leaves the others unchanged. Prefix-stable: with a later `end`, the rows up to the
 * old end keep the same Date/Open/High/Low/Close/Volume; Adj Close (back-adjusted, as Yahoo does)
 * changes for earlier rows exactly when the extension contains a new split or ex-dividend day.
 */
export function generateSampleMarket(opts: SampleMarketOptions): SampleMarket {
  const { benchmark, start, end, seed } = opts;
  if (!Number.isInteger(seed)) throw new Error(`sample market: seed must be an integer, got ${seed}`);
  const seen = new Set<string>();
  for (const t of opts.tickers) {
    if (!t) throw new Error('sample market: empty ticker name');
    if (seen.has(t)) throw new Error(`sample market: ticker ${t} listed twice`);
    seen.add(t);
  }
  const calendar = tradingDays(start, end);
  if (calendar.length === 0) throw new Error(`sample market: no trading day between ${start} and ${end}`);

  const market = simulateBenchmark(createRng(deriveSeed(seed, `benchmark:${benchmark}`)), calendar.length);
  const files: Record<string, string> = {};
  files[benchmark] = formatYahooCsv(
    buildSampleBars(
      {
        dates: calendar,
        ret: market.ret,
        sigma: market.sigma,
        startPrice: BENCHMARK_START_PRICE,
        baseVolume: BENCHMARK_VOLUME,
        refSigma: REGIME_VOL[0],
      },
      createRng(deriveSeed(seed, `bars:${benchmark}`)),
    ),
  );
  for (const ticker of opts.tickers) {
    if (ticker === benchmark) continue;
    const p = stockParams(seed, ticker);
    const path = simulateStock(p, market, createRng(deriveSeed(seed, `returns:${ticker}`)));
    const refSigma = Math.sqrt((p.beta * REGIME_VOL[0]) ** 2 + p.idioVol ** 2);
    const bars = buildSampleBars(
      { dates: calendar, ret: path.ret, sigma: path.sigma, startPrice: p.startPrice, baseVolume: p.baseVolume, refSigma, actions: p.actions },
      createRng(deriveSeed(seed, `bars:${ticker}`)),
    );
    files[ticker] = formatYahooCsv(bars);
  }
  const regimeLines = calendar.map((d, i) => `${d},${REGIME_NAMES[market.regime[i]!]}`);
  return { files, regimes: `date,regime\n${regimeLines.join('\n')}\n`, calendar };
}
