import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, runJson } from '../support/cli.js';
import { parseRunLog } from '../../lib/ui/runLog.js';

// 1,200 tickers: more cache hits than one run-log line holds (runner.ts batches them by 500)
const TICKERS = Array.from({ length: 1200 }, (_, i) => `T${i}`);

describe('cache hits in the run log', () => {
  test('a no-op run logs every cached instance, as dag ui reads it; --verbose shows each on the console', () => {
    const dir = makeToyProject(TICKERS, Object.fromEntries(TICKERS.map((t) => [`raw/${t}.txt`, '1'])));
    expect(runJson(dir, ['run', 'all', '--json']).failed).toBe(0);
    const before = new Set(readdirSync(join(dir, 'artifacts/.dag/runs')));
    const noop = runJson(dir, ['run', 'all', '--json']);
    expect(noop.skipped).toBe(TICKERS.length + 2);
    const log = readdirSync(join(dir, 'artifacts/.dag/runs')).find((f) => !before.has(f))!;
    const run = parseRunLog(log, readFileSync(join(dir, 'artifacts/.dag/runs', log), 'utf8'), false);
    const expected = [...TICKERS.map((t) => `double[${t}]`), 'total', 'bench'].sort();
    expect([...run.outcomes.keys()].sort()).toEqual(expected);
    expect(run.info.counts).toEqual({ skipped: expected.length });
    expect(run.badLines).toEqual([]);

    const verbose = dag(dir, ['run', 'all', '--verbose']);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr.match(/^debug: skip \S+ \(cached\)$/gm)).toHaveLength(expected.length);
  });
});
