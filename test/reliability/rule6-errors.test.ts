import { describe, expect, test } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToyProject, TOY_DAG } from '../support/toyProject.js';
import { dag } from '../support/cli.js';
import { fsErrorMessage, isFsError, namingPath } from '../../lib/dag/errorText.js';

const STACK = /\n\s+at /;

function runLogEvents(dir: string): Record<string, unknown>[] {
  const runs = join(dir, 'artifacts/.dag/runs');
  return readdirSync(runs).flatMap((f) => readFileSync(join(runs, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
}

describe('rule 6: file-system errors are one dag line naming the operation and the path', () => {
  test('an output path that is a directory (EISDIR): the instance fails with one line, the stack goes to the run log', () => {
    const dir = makeToyProject(['A', 'B']);
    mkdirSync(join(dir, 'out/total.txt'), { recursive: true });
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: failed total: cannot (?:read|replace) out\/total\.txt: is a directory \(EISDIR\)$/m);
    expect(r.stdout).toMatch(/FAILED total: cannot (?:read|replace) out\/total\.txt: is a directory \(EISDIR\)/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
    const fail = runLogEvents(dir).find((e) => e.event === 'fail')!;
    expect(fail.instance).toBe('total');
    expect(String(fail.stack)).toMatch(/EISDIR[\s\S]*\n\s+at /);
  });

  test('an input that is a directory (EISDIR while hashing it): that instance fails with one line, the others go on (--keep-going), the lock is released', () => {
    const dir = makeToyProject(['A', 'B']);
    rmSync(join(dir, 'raw/A.txt'));
    mkdirSync(join(dir, 'raw/A.txt'));
    const r = dag(dir, ['run', 'all', '--keep-going', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: failed double\[A\]: cannot read raw\/A\.txt: is a directory \(EISDIR\)$/m);
    expect(r.stderr).not.toMatch(STACK);
    const summary = JSON.parse(r.stdout) as { instances: { node: string; ticker: string | null; action: string }[] };
    expect(summary.instances.map((i) => `${i.node}${i.ticker ? `[${i.ticker}]` : ''}:${i.action}`)).toEqual(['double[A]:failed', 'double[B]:ran', 'bench:blocked', 'total:blocked']);
    expect(readFileSync(join(dir, 'out/double/B.txt'), 'utf8')).toBe('4');
    expect(readdirSync(join(dir, 'artifacts/.dag'))).not.toContain('lock');
  });

  test('a settings file that is a directory: exit 2, one line naming it', () => {
    const dir = makeToyProject(['A']);
    mkdirSync(join(dir, 'conf.yaml'));
    const r = dag(dir, ['status', '--config', 'conf.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^dag: cannot read .*conf\.yaml: is a directory \(EISDIR\)$/);
  });

  test('a state folder under a file (ENOTDIR): exit 1, one line naming the folder, nothing half-written', () => {
    const dir = makeToyProject(['A']);
    writeFileSync(join(dir, 'artifacts'), 'not a folder');
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dag: cannot create the folder artifacts\/\.dag: a part of the path is a file, not a directory \(ENOTDIR\)$/m);
    expect(r.stderr).not.toMatch(STACK);
    expect(readdirSync(dir).includes('out')).toBe(false);
  });

  test('the errno table, on real errors: operation, path relative to the folder, meaning and code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dag-errno-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'file'), 'x');
    const caught = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        if (isFsError(err)) return fsErrorMessage(err, dir);
      }
      throw new Error('expected a file-system error');
    };
    expect(caught(() => mkdirSync(join(dir, 'file/inner')))).toBe('cannot create the folder file/inner: a part of the path is a file, not a directory (ENOTDIR)');
    expect(caught(() => readdirSync(join(dir, 'missing')))).toBe('cannot list the folder missing: no such file or directory (ENOENT)');
    // read(2) errors come without a path: namingPath adds it
    expect(caught(() => namingPath(join(dir, 'sub'), () => readFileSync(join(dir, 'sub'))))).toBe('cannot read sub: is a directory (EISDIR)');
  });
});

describe('rule 6: whatever a task throws is one line with the instance', () => {
  test.each([
    ['a numeric failure deep in a computation (RangeError)', 'export default function () { const n = [1, 2].reduce((a, b) => a - b * 2, 0); new Float64Array(n); }', /failed total: Invalid typed array length: -6/],
    ['a multi-line message', "export default function () { throw new Error('column close is not finite\\n  at row 17 (2024-03-01)'); }", /failed total: column close is not finite; at row 17 \(2024-03-01\)/],
    ['a thrown non-Error', "export default function () { throw 'bad value'; }", /failed total: bad value/],
  ])('%s', (_name, task, message) => {
    const dir = makeToyProject(['A'], { 'tasks/total.mjs': task });
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ${message.source}$`, 'm'));
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('an unexpected error outside the tasks: one line, exit 1, the stack only with --verbose', () => {
    const dir = makeToyProject(['A'], {
      'pipeline.dag.yaml': TOY_DAG.replace('config: { file: settings.yaml }', 'config: { file: settings.yaml, loader: tasks/loader.mjs }'),
      'tasks/loader.mjs': 'export function loadConfig(file) { return JSON.parse(file); }\n',
    });
    const r = dag(dir, ['status']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dag: unexpected error: .*JSON/);
    expect(r.stderr).not.toMatch(STACK);
    const v = dag(dir, ['status', '--verbose']);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/SyntaxError[\s\S]*\n\s+at .*loader\.mjs/);
  });
});

/** A tmpfs at a fresh folder, or null (with a message) where mounting is not allowed. */
function mountTmpfs(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'dag-ro-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`skipped: the read-only test needs to mount a tmpfs (root): ${r.stderr || r.error?.message}`);
    return null;
  }
  return dir;
}

const remount = (dir: string, mode: 'ro' | 'rw') => expect(spawnSync('mount', ['-o', `remount,${mode}`, dir]).status).toBe(0);

describe('rule 6: a read-only artifacts folder', () => {
  test('a no-op run works (exit 0, says nothing was written); a run with work to do says why it cannot (exit 1)', () => {
    const mnt = mountTmpfs();
    if (!mnt) return;
    try {
      cpSync(makeToyProject(['A', 'B']), mnt, { recursive: true });
      expect(dag(mnt, ['run', 'all']).code).toBe(0);
      remount(mnt, 'ro');
      const noop = dag(mnt, ['run', 'all']);
      expect(noop.code).toBe(0);
      expect(noop.stdout).toMatch(/all: ran 0, skipped 4 \(cached\), failed 0/);
      expect(noop.stderr).toMatch(/state folder .*artifacts\/\.dag is not writable \(.*read-only file system \(EROFS\)\): everything is fresh, so nothing was written/);
      const status = dag(mnt, ['status']);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/everything is fresh/);

      remount(mnt, 'rw');
      writeFileSync(join(mnt, 'raw/A.txt'), '7');
      remount(mnt, 'ro');
      const stale = dag(mnt, ['run', 'all']);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/^dag: cannot run all: the state folder .*artifacts\/\.dag is not writable \(.*EROFS\)\); 3 instance\(s\) need a run: double\[A\], bench, total$/m);
      expect(stale.stderr).not.toMatch(STACK);
      expect(readFileSync(join(mnt, 'out/total.txt'), 'utf8')).toBe(String(2 * (1 + 2)));
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});
