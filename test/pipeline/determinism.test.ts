import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { dagIn, makeWorkdir, SMALL } from '../support/pipeline.js';
import { differingFiles, listArtifacts } from '../support/artifacts.js';

describe('byte-deterministic artifacts', () => {
  test('--concurrency 1 and --concurrency 4 give identical bytes in every artifact, free of paths, host names and timestamps', () => {
    const one = makeWorkdir(SMALL);
    const four = makeWorkdir(SMALL);
    expect(dagIn(one, ['run', 'backtest', '--concurrency', '1']).code).toBe(0);
    expect(dagIn(four, ['run', 'backtest', '--concurrency', '4']).code).toBe(0);
    const files = listArtifacts(one);
    expect(files.length).toBeGreaterThan(30);
    expect(differingFiles(one, four)).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    for (const f of files) {
      const text = readFileSync(join(one, f)).toString('latin1');
      expect(text.includes(one)).toBe(false);
      // (a very short host name, like 'vm', occurs by chance in any file)
      if (hostname().length >= 6) expect(text.includes(hostname())).toBe(false);
      // no run timestamps (market dates are years in the past)
      expect(text.includes(today)).toBe(false);
    }
  });
});
