/** The metrics of summary.json a sweep compares (column name -> summary.json key). */
export const SWEEP_METRICS = {
  total_return: 'total_return',
  cagr: 'cagr',
  volatility: 'volatility',
  sharpe: 'sharpe',
  sortino: 'sortino',
  max_drawdown: 'max_drawdown',
  calmar: 'calmar',
  turnover: 'avg_turnover',
} as const;

export type MetricName = keyof typeof SWEEP_METRICS;
