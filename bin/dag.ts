#!/usr/bin/env node
import { main } from '../lib/dag/cli.js';
import { keyMetricsLine } from '../lib/pipeline/keyMetrics.js';
import { prestartDailyPool, runDaily, type DailyOptions } from '../lib/pipeline/daily.js';

const dailyPool = prestartDailyPool(process.argv);

// The generic runner plus what this pipeline adds: the daily target and key metrics after a backtest.
await main(process.argv, {
  customTargets: {
    daily: (project, opts, runPlan) => runDaily(project, { ...(opts as unknown as DailyOptions), pool: dailyPool }, runPlan),
  },
  afterRun: async (project, target, _summary, log) => {
    if (target !== 'backtest') return;
    const line = keyMetricsLine(project);
    if (line) log(line);
  },
});
