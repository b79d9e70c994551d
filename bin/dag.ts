#!/usr/bin/env -S node --v8-pool-size=1
// One V8 helper thread (Node's default is four): the worker threads already keep the cores busy,
// and fewer helpers to compete with made a small daily run 0.1 s faster (docs/benchmarks.md).
import { prestartIncrementalPool } from '../lib/dag/incremental/prestart.js';

// before anything heavy loads: an incremental run's (daily's) worker starts now and loads its tasks meanwhile
const incrementalPool = prestartIncrementalPool(process.argv);
const { main } = await import('../lib/dag/cli.js');
const { keyMetricsLine } = await import('../lib/pipeline/keyMetrics.js');
const { dataQualityLines } = await import('../lib/pipeline/dqSummaryFiles.js');
const { positiveInt } = await import('../lib/dag/cliArgs.js');
const { sweepOptions } = await import('../lib/pipeline/sweep/options.js');
// the sweep's results and report code (parquet, charts) loads when a sweep ends or is shown, not with every command
const sweepHooks = async () => (await import('../lib/pipeline/sweep/hooks.js')).pipelineSweepHooks;

// The generic runner plus what this pipeline adds: the daily target's options (its hooks,
// lib/pipeline/dailyHooks.ts, read them), the data-quality summary after every run and the key
// metrics after a backtest.
await main(process.argv, {
  targetOptions: [
    { flags: '--extend <n>', description: 'daily target with the sample market: append n new trading days first', parse: positiveInt },
    { flags: '--retrain', description: 'daily target: retrain models if their inputs changed' },
  ],
  incrementalPool,
  afterRun: async (project, target, summary, log) => {
    const dq = dataQualityLines(project, summary);
    if (dq.length) log(`data quality (${dq.length} finding(s); details in artifacts/processed/*.dq.json):\n${dq.map((l) => `  ${l}`).join('\n')}`);
    if (target !== 'backtest') return;
    const line = keyMetricsLine(project);
    if (line) log(line);
  },
  sweep: {
    options: sweepOptions,
    afterSweep: async (...args) => (await sweepHooks()).afterSweep!(...args),
    show: async (...args) => (await sweepHooks()).show!(...args),
  },
});
