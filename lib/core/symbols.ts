/**
 * Every symbol whose bars the pipeline loads: the traded `tickers`, then the benchmark unless it is
 * one of them (an index such as the S&P 500 is read for relative strength, the regime engine and
 * the benchmark return, but cannot be bought, so it is never sized or traded). Its own module so
 * that tasks can use it without loading the settings schema (zod) into the workers.
 */
export function marketSymbols(tickers: readonly string[], benchmark: string): string[] {
  return tickers.includes(benchmark) ? [...tickers] : [...tickers, benchmark];
}
