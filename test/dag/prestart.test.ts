import { describe, expect, test } from '@jest/globals';
import { join, resolve } from 'node:path';
import { prestartPlan } from '../../lib/dag/incremental/prestart.js';
import { makeIncrementalToy } from '../support/incrementalToy.js';

const REPO = resolve(process.cwd());
const moduleNames = (plan: { modules: string[] } | undefined) => plan?.modules.map((m) => m.split('/').slice(-2).join('/'));

describe('the early worker of an incremental run, guessed from the DAG file\'s text', () => {
  test('the daily target: the tasks of the declared nodes and of the node that feeds the sources, not training or the report', () => {
    const plan = prestartPlan(['node', 'dag', 'run', 'daily', '--dag', join(REPO, 'pipeline.dag.yaml')]);
    expect(moduleNames(plan)).toEqual(['tasks/sample.js', 'tasks/preprocess.js', 'tasks/features.js', 'tasks/signals.js', 'tasks/regime.js', 'tasks/predict.js', 'tasks/meta.js', 'tasks/positions.js', 'tasks/backtest.js']);
    expect(plan!.modules[0]).toBe(join(REPO, 'dist/tasks/sample.js'));
  });

  test('a full target starts none, unless --incremental; a dry run starts none', () => {
    const dag = ['--dag', join(REPO, 'pipeline.dag.yaml')];
    expect(prestartPlan(['node', 'dag', 'run', 'backtest', ...dag])).toBeUndefined();
    expect(prestartPlan(['node', 'dag', 'run', 'features', '--incremental', ...dag])).toBeDefined();
    expect(prestartPlan(['node', 'dag', 'run', 'daily', '--dry-run', ...dag])).toBeUndefined();
    expect(prestartPlan(['node', 'dag', 'status', 'daily', ...dag])).toBeUndefined();
  });

  test('an inline target declaration is read too (the toy DAG)', () => {
    const dir = makeIncrementalToy(3);
    const dag = ['--dag', join(dir, 'pipeline.dag.yaml')];
    expect(moduleNames(prestartPlan(['node', 'dag', 'run', 'update', ...dag]))).toEqual(['tasks/readings.mjs', 'tasks/smooth.mjs', 'tasks/level.mjs', 'tasks/spread.mjs']);
    expect(prestartPlan(['node', 'dag', 'run', 'all', ...dag])).toBeUndefined();
  });
});
