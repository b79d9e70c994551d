import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../dag/workerPool.js';

/** This pipeline's tasks that a daily run executes, in order (the report only when the backtest changed). */
const DAILY_TASKS = ['sample', 'preprocess', 'features', 'regime', 'signals', 'predict', 'meta', 'positions', 'backtest', 'latest'];

/**
 * For a `dag run daily` command line, a one-worker pool started before the CLI itself loads: the
 * worker boots and loads the parquet code and this pipeline's daily tasks meanwhile, which
 * takes them off the critical path of a small daily run. runDaily uses (and resizes) the pool;
 * the modules the DAG file names are then imported again, from the module cache. This module
 * imports nothing heavy, so that the worker starts first.
 */
export function prestartDailyPool(argv: string[]): WorkerPool | undefined {
  const args = argv.slice(2);
  if (args[0] !== 'run' || args[1] !== 'daily' || args.some((a) => a === '--dry-run' || a === '-h' || a === '--help')) return undefined;
  const pool = new WorkerPool(1);
  pool.warm(DAILY_TASKS.map((t) => fileURLToPath(new URL(`../../tasks/${t}.js`, import.meta.url))));
  return pool;
}
