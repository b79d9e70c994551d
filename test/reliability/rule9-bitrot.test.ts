import { describe, expect, test } from '@jest/globals';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, runJson } from '../support/cli.js';

/**
 * Rule 9 (docs/reliability.md): bit rot is detectable. A same-size, same-mtime, same-inode
 * change is invisible to the stat memo (a documented trade-off); `dag status --rehash` re-reads
 * every output. On main `--rehash` did not exist (commander: unknown option, exit 2).
 */
describe('rule 9: dag status --rehash finds a same-size, same-mtime change', () => {
  test('a flipped byte: plain status says fresh, --rehash names the file and exits 1', () => {
    const dir = makeToyProject();
    expect(runJson(dir, ['run', 'all']).failed).toBe(0);
    const file = join(dir, 'out/double/B.txt'); // "4": raw 2 doubled
    // a whole-second mtime that can be set again exactly, remembered by a plain status
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(dag(dir, ['status']).stdout).toContain('everything is fresh');
    const ino = statSync(file).ino;
    writeFileSync(file, '5'); // in place: same inode, same size
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(statSync(file).ino).toBe(ino);
    expect(dag(dir, ['status']).stdout).toContain('everything is fresh'); // the trade-off

    const r = dag(dir, ['status', '--rehash']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('output modified outside dag: out/double/B.txt (double[B])');
    expect(r.stdout).toContain('rehash: 1 of 5 outputs differ from the bytes dag recorded');
    const j = dag(dir, ['status', '--rehash', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).rehash).toEqual({ checked: 5, modified: [{ node: 'double', ticker: 'B', path: 'out/double/B.txt' }] });
  });

  test('intact artifacts: --rehash re-reads them all and exits 0', () => {
    const dir = makeToyProject();
    expect(runJson(dir, ['run', 'all']).failed).toBe(0);
    const r = dag(dir, ['status', '--rehash']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rehash: all 5 recorded outputs re-read and match');
    expect(JSON.parse(dag(dir, ['status', '--rehash', '--json']).stdout).rehash).toEqual({ checked: 5, modified: [] });
  });
});
