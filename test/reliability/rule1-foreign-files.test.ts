import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, ran, runJson } from '../support/cli.js';
import { dagIn, makeWorkdir, SMALL } from '../support/pipeline.js';
import { BUNDLE_TASK, STACK_LINE, tempLeftovers, TOY_DAG_WITH_FOLDER } from './support.js';

/**
 * Rule 1 (docs/reliability.md): dag never overwrites or deletes a file it did not write. On
 * main every one of these runs exited 0 and replaced the user's file.
 */
const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');
const states = (dir: string) => Object.fromEntries((JSON.parse(dag(dir, ['status', '--json']).stdout).instances as { node: string; ticker: string | null; state: string }[]).map((i) => [`${i.node}${i.ticker ? `[${i.ticker}]` : ''}`, i.state]));

describe('rule 1: a file dag did not write is never replaced', () => {
  test('a user file already at an output path on the first run: the run stops, names it, touches nothing', () => {
    const dir = makeToyProject();
    mkdirSync(join(dir, 'out/double'), { recursive: true });
    writeFileSync(join(dir, 'out/double/B.txt'), 'my own notes');
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('double[B]: refusing to replace out/double/B.txt: dag has no record of writing this file');
    expect(r.stderr).toContain('move or delete it yourself, or rerun with --overwrite');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(read(dir, 'out/double/B.txt')).toBe('my own notes');
    expect(states(dir)['double[B]']).toBe('missing'); // nothing recorded for it
    expect(tempLeftovers(join(dir, 'out'))).toEqual([]);
    // deleting the file is the documented way forward
    rmSync(join(dir, 'out/double/B.txt'));
    expect(dag(dir, ['run', 'all']).code).toBe(0);
    expect(read(dir, 'out/total.txt')).toBe(String((1 + 2 + 3) * 2));
  });

  test('an output edited after dag wrote it is not replaced until --overwrite', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'out/total.txt'), '12 (checked by hand)');
    const r = dag(dir, ['run', 'all', '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('total: refusing to replace out/total.txt');
    expect(read(dir, 'out/total.txt')).toBe('12 (checked by hand)');
    expect(ran(runJson(dir, ['run', 'all', '--overwrite']))).toEqual(['total']);
    expect(read(dir, 'out/total.txt')).toBe('12');
  });

  test('a directory output holding extra user files (hidden ones too) is not swapped out', () => {
    const dir = makeToyProject(['A', 'B'], { 'pipeline.dag.yaml': TOY_DAG_WITH_FOLDER, 'tasks/bundle.mjs': BUNDLE_TASK });
    expect(runJson(dir, ['run', 'all']).failed).toBe(0);
    expect(read(dir, 'out/bundle/B.txt')).toBe('4');
    writeFileSync(join(dir, 'out/bundle/README.md'), 'mine');
    writeFileSync(join(dir, 'out/bundle/.keep'), '');
    writeFileSync(join(dir, 'raw/B.txt'), '5'); // bundle must rerun
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bundle: refusing to replace out/bundle/.keep, out/bundle/README.md');
    expect(read(dir, 'out/bundle/README.md')).toBe('mine');
    expect(existsSync(join(dir, 'out/bundle/.keep'))).toBe(true);
    expect(read(dir, 'out/bundle/B.txt')).toBe('4'); // the old folder, untouched
    rmSync(join(dir, 'out/bundle/.keep'));
    rmSync(join(dir, 'out/bundle/README.md'));
    expect(dag(dir, ['run', 'all']).code).toBe(0);
    expect(read(dir, 'out/bundle/B.txt')).toBe('10');
  });

  test('state folder deleted while the artifacts exist: a clear refusal, and --overwrite adopts them', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    rmSync(join(dir, 'artifacts'), { recursive: true }); // the toy's state folder is artifacts/.dag
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('or a lost state folder');
    expect(r.stderr).toContain('--overwrite');
    const s = runJson(dir, ['run', 'all', '--overwrite']);
    expect(s.failed).toBe(0);
    expect(read(dir, 'out/total.txt')).toBe('12');
    expect(Object.values(states(dir)).every((x) => x === 'fresh')).toBe(true);
  });

  test('pipeline: the sample market never overwrites the user\'s own raw CSV files', () => {
    const dir = makeWorkdir(SMALL);
    mkdirSync(join(dir, 'data/raw'), { recursive: true });
    const mine = 'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,1,1,1,1,100\n';
    writeFileSync(join(dir, 'data/raw/NVDA_raw.csv'), mine);
    const r = dagIn(dir, ['run', 'backtest']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sample: refusing to replace data/raw/NVDA_raw.csv');
    expect(r.stderr).toContain('sample runs because of `data.source: sample`');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(read(dir, 'data/raw/NVDA_raw.csv')).toBe(mine);
    // the other tickers' files were not written either: the instance touched nothing
    expect(existsSync(join(dir, 'data/raw/MSFT_raw.csv'))).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
