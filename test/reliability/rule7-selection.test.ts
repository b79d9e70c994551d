import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToyProject, TOY_DAG } from '../support/toyProject.js';
import { DATED_FIRST, DATED_LAST, makeDatedToy } from '../support/datedToy.js';
import { dag } from '../support/cli.js';
import { dagIn, makeWorkdir, REPO, SMALL } from '../support/pipeline.js';

describe('rule 7: --ticker and targets that select nothing are errors naming what exists', () => {
  test.each([
    ['run', ['run', 'all', '--ticker', 'Z']],
    ['status', ['status', '--ticker', 'Z']],
    ['status of a target', ['status', 'total', '--ticker', 'A', '--ticker', 'Z']],
  ])('an unknown ticker (%s): exit 2 naming it and the tickers, nothing run', (_name, args) => {
    const dir = makeToyProject(['A', 'B', 'C']);
    const r = dag(dir, args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("dag: --ticker Z: not in 'tickers' (tickers: A, B, C)");
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('a known ticker with no instance in the target: exit 2 naming it and the tickers the target has', () => {
    const dir = makeToyProject(['A', 'B', 'C']); // bench reads only the benchmark A
    const r = dag(dir, ['run', 'bench', '--ticker', 'B']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("dag: --ticker B selects no instance of target 'bench' (its per-ticker instances are for: A)");
    expect(existsSync(join(dir, 'out'))).toBe(false);
    // the same ticker where it does select something still works
    expect(dag(dir, ['run', 'all', '--ticker', 'B']).code).toBe(0);
  });

  test('a target whose node is disabled by its `when` condition: exit 2 saying so', () => {
    const dir = makeToyProject(['A', 'B'], { 'pipeline.dag.yaml': TOY_DAG.replace('  - id: bench\n', '  - id: bench\n    when: { factor: 3 }\n') });
    for (const args of [['run', 'bench'], ['status', 'bench']]) {
      const r = dag(dir, args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe("dag: target 'bench' selects no instance: node(s) bench disabled by their 'when' condition in this configuration");
    }
  });

  test('a --workdir that does not exist: exit 2', () => {
    const dir = makeToyProject(['A']);
    const r = dag(dir, ['run', 'all', '--workdir', 'no-such-folder']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('dag: --workdir no-such-folder: no such folder');
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });
});

describe('rule 7: options of the daily target are not silently ignored elsewhere (and vice versa)', () => {
  test('--since on another target, --ticker on daily: exit 2 before anything runs', () => {
    const dir = makeToyProject(['A']);
    const since = dag(dir, ['run', 'all', '--since', '2024-01-02']);
    expect(since.code).toBe(2);
    expect(since.stderr.trim()).toBe("dag: --since applies only with --incremental (no target is declared with mode: incremental), not to 'all'");
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const work = mkdtempSync(join(tmpdir(), 'dag-rule7-'));
    const ticker = dag(REPO, ['run', 'daily', '--ticker', 'NVDA', '--workdir', work]);
    expect(ticker.code).toBe(2);
    expect(ticker.stderr.trim()).toBe("dag: --ticker does not apply to target 'daily': it always works on every ticker");
    expect(readdirSync(work)).toEqual([]);
  });
});

describe('rule 7: checks that would pass vacuously are errors', () => {
  test('dag verify <target> with nothing in dag.lock for it: exit 2 before any rebuild', () => {
    const dir = makeDatedToy();
    writeFileSync(join(dir, 'dag.lock'), JSON.stringify({ version: 1, target: 'other', instances: {} }));
    const tmp = mkdtempSync(join(tmpdir(), 'dag-rule7-tmp-'));
    const r = dag(dir, ['verify', 'all'], { TMPDIR: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^dag: .*dag\.lock has no entry for any of the 2 instances of 'all' \(it was written for target 'other'; write one for this target with `dag run all --update-lock`\)$/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test.each([
    ['before the first date', '2023-12-31'],
    ['on the last date', DATED_LAST],
    ['after the data', '2030-01-01'],
  ])('audit lookahead --cutoff %s: exit 2 naming the cutoff and the data range', (_name, cutoff) => {
    const dir = makeDatedToy();
    const r = dag(dir, ['audit', 'lookahead', '--target', 'all', '--cutoff', cutoff]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^dag: --cutoff ${cutoff}: outside the source data \\(${DATED_FIRST} \\.\\. ${DATED_LAST}\\)`, 'm'));
  });

  test('audit lookahead --cutoff inside the data still checks (exit 0, every table compared)', () => {
    const dir = makeDatedToy();
    const r = dag(dir, ['audit', 'lookahead', '--target', 'all', '--cutoff', DATED_FIRST, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, checkedFiles: 2, cutoffs: [DATED_FIRST] });
  });

  test('audit lookahead --target with no table artifact: exit 2', () => {
    const dir = makeToyProject(['A', 'B']); // text outputs only
    const r = dag(dir, ['audit', 'lookahead', '--target', 'all', '--cutoff', '2024-01-15']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^dag: audit: --target all has no table \(\.parquet\) artifact built from source data, so there is nothing to check/);
  });
});

describe('rule 7: dag run daily --since outside the bars', () => {
  test('after every source table\'s last row, or before every first row: exit 2 naming the date and the range', () => {
    const dir = makeWorkdir(SMALL); // the sample market then ends on 2020-12-31
    expect(dagIn(dir, ['run', 'backtest']).code).toBe(0);
    const after = dagIn(dir, ['run', 'daily', '--since', '2031-01-02']);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/^dag: --since 2031-01-02: after the last row of every processed table \(\d{4}-\d{2}-\d{2} \.\. 2020-12-31\), so nothing would be recomputed$/m);
    const before = dagIn(dir, ['run', 'daily', '--since', '1990-01-02']);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/^dag: --since 1990-01-02: before the first row of every processed table \(\d{4}-\d{2}-\d{2} \.\. 2020-12-31\); for a full rebuild use --force instead$/m);
    // a date inside the bars (SMALL's sample market ends on its backtest.end_date) is accepted
    expect(dagIn(dir, ['run', 'daily', '--since', '2020-12-30']).code).toBe(0);
  });
});
