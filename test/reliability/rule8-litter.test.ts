import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, DAG_BIN } from '../support/cli.js';
import { spawn } from 'node:child_process';
import { tempLeftovers } from './support.js';

/**
 * Rule 8 (docs/reliability.md): no litter. A killed run's staged files and folders, and a
 * killed `dag verify`'s sandbox, are removed by the next run; a live process's are not. On main
 * nothing ever removed them (and sandbox names carried no pid to tell whose they were).
 */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('rule 8: the next run removes what killed runs left behind', () => {
  test('staged files, staged folders, state temp files and sandboxes of a dead process go; a live one\'s stay', () => {
    const dir = makeToyProject();
    const tmp = mkdtempSync(join(tmpdir(), 'dag-rule8-tmp-'));
    expect(dag(dir, ['run', 'all'], { TMPDIR: tmp }).code).toBe(0);
    const dead = deadPid();
    const live = process.pid; // this jest worker: alive for the whole test
    const litter = [
      `out/double/.A.txt.tmp-${dead}-0123abcd`,
      `out/.total.txt.tmp-${dead}-89abcdef`,
      `artifacts/.dag/.records.json.tmp-${dead}-00000000`,
      `artifacts/.dag/runs/.2026-01-01T00-00-00-000Z-${dead}.jsonl.tmp-${dead}-11111111`,
      `.dag.lock.tmp-${dead}-22222222`,
      // the local result store: a manifest and a blob a killed run was keeping
      `artifacts/.dag/cache/ac/df/.df14.json.tmp-${dead}-55555555`,
      `artifacts/.dag/cache/blobs/ab/.ab12.tmp-${dead}-66666666`,
    ];
    for (const d of ['artifacts/.dag/cache/ac/df', 'artifacts/.dag/cache/blobs/ab']) mkdirSync(join(dir, d), { recursive: true });
    for (const p of litter) writeFileSync(join(dir, p), 'half');
    mkdirSync(join(dir, `out/.double.tmp-${dead}-33333333/sub`), { recursive: true });
    writeFileSync(join(dir, `out/.double.tmp-${dead}-33333333/sub/x.txt`), 'staged folder');
    mkdirSync(join(tmp, `dag-sandbox-${dead}-AbC123/work`), { recursive: true });
    const keep = [`out/double/.B.txt.tmp-${live}-44444444`];
    for (const p of keep) writeFileSync(join(dir, p), 'a live run is writing this');
    mkdirSync(join(tmp, `dag-sandbox-${live}-XyZ789`));
    mkdirSync(join(tmp, 'not-ours'));

    // what a kill -9 also leaves: its run lock, which tells the next run to look beside the outputs
    writeFileSync(join(dir, 'artifacts/.dag/lock'), JSON.stringify({ pid: dead, host: hostname(), started: new Date().toISOString(), command: 'dag run all' }));

    // a no-op run is enough
    const r = dag(dir, ['run', 'all', '--json'], { TMPDIR: tmp });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).executed).toBe(0);
    for (const p of litter) expect(existsSync(join(dir, p))).toBe(false);
    expect(existsSync(join(dir, `out/.double.tmp-${dead}-33333333`))).toBe(false);
    expect(readFileSync(join(dir, keep[0]), 'utf8')).toBe('a live run is writing this');
    expect(readdirSync(tmp).sort()).toEqual([`dag-sandbox-${live}-XyZ789`, 'not-ours']);
  });

  test('a run killed while its task has staged an output: the rerun leaves no temp file', async () => {
    const dir = makeToyProject(['A', 'B'], { 'raw/A.txt': 'partial' });
    const child = spawn(process.execPath, [DAG_BIN, 'run', 'all'], { cwd: dir, stdio: 'ignore' });
    // the toy task writes its staged output, then hangs: wait for the staged file, then kill -9
    for (let i = 0; i < 600 && tempLeftovers(join(dir, 'out')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(tempLeftovers(join(dir, 'out')).length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    writeFileSync(join(dir, 'raw/A.txt'), '1');
    expect(dag(dir, ['run', 'all']).code).toBe(0);
    expect(tempLeftovers(dir)).toEqual([]);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('6');
  });
});
