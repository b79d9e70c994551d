import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The shipped settings, or (with `scale`) the bench's large sample market: tickers S000.. plus
 * the benchmark SPY, backtest 2019-01-01..2021-12-31 by default, which with the sample's warm-up
 * makes ~6 years of daily bars per ticker.
 */
export function sampleSettings(repo: string, scale?: { tickers: number; start?: string; end?: string }): Record<string, any> {
  const s = parse(readFileSync(join(repo, 'config/settings.yaml'), 'utf8')) as Record<string, any>;
  if (!scale) return s;
  s.tickers = [...Array.from({ length: scale.tickers - 1 }, (_, i) => `S${String(i).padStart(3, '0')}`), 'SPY'];
  s.benchmark = 'SPY';
  s.backtest.start_date = scale.start ?? '2019-01-01';
  s.backtest.end_date = scale.end ?? '2021-12-31';
  return s;
}
