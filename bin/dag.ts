#!/usr/bin/env -S node --v8-pool-size=1
// One V8 helper thread (Node's default is four): the worker threads already keep the cores busy,
// and fewer helpers to compete with made a small daily run 0.1 s faster (docs/benchmarks.md).
import { prestartDailyPool } from '../lib/pipeline/prestart.js';

// before anything heavy loads: a daily run's worker starts now and loads its tasks meanwhile
const dailyPool = prestartDailyPool(process.argv);
const { main } = await import('../lib/dag/cli.js');
const { keyMetricsLine } = await import('../lib/pipeline/keyMetrics.js');
const { runDaily } = await import('../lib/pipeline/daily.js');
const { pipelineSweepHooks } = await import('../lib/pipeline/sweep/hooks.js');
type DailyOptions = import('../lib/pipeline/daily.js').DailyOptions;

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
  sweep: pipelineSweepHooks,
});
