import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../lib/core/rng.js';
import { DAG_BIN } from '../support/cli.js';
import { dagIn, makeWorkdir, REPO, SMALL } from '../support/pipeline.js';
import { tempLeftovers } from './support.js';

/**
 * Issue 11's crash loop: the full sample backtest (all nine layers; the test suite's SMALL
 * window so that 20 kills fit in the suite's time budget) SIGKILLed at 20 seeded random moments
 * within its measured duration, each kill followed by a rerun (odd kills hit a forced rebuild,
 * even ones a resuming rerun), then a last rerun to the end. Afterwards every output must match
 * the lock-style record (cache key and output hashes) of an uninterrupted build, `dag status`
 * must say everything is fresh, and no temp file may remain under the work folder or in the
 * runs' own TMPDIR. Durations are only used to place the kills, never asserted.
 */
const KILLS = 20;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Lock { [id: string]: { key: string; outputs: Record<string, string> } }

/** dag.lock's content, from a work folder's records (every instance of the target ran). */
function lockOf(dir: string): Lock {
  const { records } = JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8')) as { records: Record<string, { status: string; key: string; outputs: Record<string, string> }> };
  return Object.fromEntries(Object.entries(records).map(([id, r]) => [id, { key: r.key, outputs: r.outputs }]));
}

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** Hash of an output as dag.lock defines it, computed here from the files (folder: sorted `name\thash` lines). */
function hashOnDisk(dir: string, out: string): string {
  if (!out.endsWith('/')) return sha(readFileSync(join(dir, out)));
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, out, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else files.push(r);
    }
  };
  walk('');
  return sha(files.sort().map((f) => `${f}\t${sha(readFileSync(join(dir, out, f)))}`).join('\n'));
}

function runFor(dir: string, args: string[], env: Record<string, string>, killAfterMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [DAG_BIN, ...args, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml')], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => child.once('exit', (code, signal) => {
    clearTimeout(timer);
    resolve({ code, signal, ms: performance.now() - t0 });
  }));
}

describe('crash loop: kill -9 at 20 random moments, rerun after each', () => {
  test('the last rerun ends with every output as an uninterrupted build has it, everything fresh, no litter', async () => {
    const reference = makeWorkdir(SMALL);
    const crashed = makeWorkdir(SMALL);
    const childTmp = mkdtempSync(join(tmpdir(), 'dag-crash-tmp-'));
    dirs.push(reference, crashed, childTmp);
    const env = { TMPDIR: childTmp };

    const ref = await runFor(reference, ['run', 'backtest'], env);
    expect(ref.code).toBe(0);
    const expected = lockOf(reference);
    // every instance of the target is in it (training fans out per horizon and fold)
    const planned = JSON.parse(dagIn(reference, ['status', 'backtest', '--json']).stdout) as { instances: unknown[] };
    expect(Object.keys(expected)).toHaveLength(planned.instances.length);

    const rng = createRng(11);
    // Kill moments are drawn within the duration of a whole build, which changes with the machine's
    // load: a forced build that finishes before its kill moment gives the new duration. After a
    // kill the next run resumes (and may be killed in turn); after a run that finished, the next
    // one is a forced rebuild, so that there is always work to interrupt.
    let full = ref.ms;
    let killed = 0;
    let forced = true;
    for (let attempt = 0; killed < KILLS; attempt++) {
      if (attempt >= 3 * KILLS) throw new Error(`only ${killed} of ${attempt} runs were killed before they finished`);
      const at = full * (0.05 + 0.9 * rng.next());
      const r = await runFor(crashed, forced ? ['run', 'backtest', '--force'] : ['run', 'backtest'], env, at);
      if (r.signal === 'SIGKILL') {
        killed++;
        forced = false;
        continue;
      }
      expect(r).toMatchObject({ code: 0 }); // finished before its kill moment: it must have succeeded
      if (forced) full = r.ms;
      forced = true;
    }

    const last = await runFor(crashed, ['run', 'backtest'], env);
    expect(last.code).toBe(0);

    const actual = lockOf(crashed);
    expect(actual).toEqual(expected);
    for (const { outputs } of Object.values(expected)) for (const [out, hash] of Object.entries(outputs)) expect(`${out} ${hashOnDisk(crashed, out)}`).toBe(`${out} ${hash}`);
    const status = dagIn(crashed, ['status']);
    expect(status.stdout.trim().split('\n').at(-1)).toBe('everything is fresh');
    expect(tempLeftovers(crashed)).toEqual([]);
    // only what dag names: this machine's process tooling also drops its own files into TMPDIR
    expect(readdirSync(childTmp).filter((name) => name.startsWith('dag-') || /\.tmp-\d+-[0-9a-f]{8}$/.test(name))).toEqual([]);
    expect(tempLeftovers(childTmp)).toEqual([]);
  }, 1_500_000);
});
