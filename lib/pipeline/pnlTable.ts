import { numberColumn, stringColumn, type Table } from '../io/table.js';
import type { PnlColumns } from '../market/backtest/columns.js';

/** pnl_timeseries.parquet, decoded, as the backtest's pnl columns (a missing column names the file). */
export function pnlFromTable(t: Table, where: string): PnlColumns {
  const num = (c: string) => numberColumn(t, c, where);
  return {
    date: stringColumn(t, 'date', where),
    equity: num('equity'),
    return: num('return'),
    benchmark_return: num('benchmark_return'),
    gross_exposure: num('gross_exposure'),
    net_exposure: num('net_exposure'),
    turnover: num('turnover'),
    drawdown: num('drawdown'),
    regime: stringColumn(t, 'regime', where),
  };
}
