import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { makeDatedToy } from '../support/datedToy.js';
import { dag, ran, runJson } from '../support/cli.js';
import { startDag, waitFor } from '../support/process.js';
import { lockVerdict, type LockInfo } from '../../lib/dag/runLock.js';

const lockOf = (dir: string) => join(dir, 'artifacts/.dag/lock');
const staged = (dir: string) => (existsSync(join(dir, 'out/double')) ? readdirSync(join(dir, 'out/double')).filter((f) => f.includes('.tmp-')) : []);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function plantLock(dir: string, info: Partial<LockInfo>): void {
  mkdirSync(join(dir, 'artifacts/.dag'), { recursive: true });
  const now = new Date().toISOString();
  writeFileSync(lockOf(dir), JSON.stringify({ pid: 1, host: hostname(), started: now, command: 'dag run all', renewed: now, lease_ms: 60_000, token: 'planted', ...info }));
}

describe('rule 4: Ctrl-C or kill stops a run cleanly', () => {
  test('SIGINT: exit 130, lock released, the staged output of the aborted task removed, completed instances recorded (a rerun skips them), run log written', async () => {
    const dir = makeToyProject(['A', 'B']);
    writeFileSync(join(dir, 'raw/B.txt'), 'partial'); // double[B] stages its output, then hangs
    const { child, done } = startDag(dir, ['run', 'all', '--concurrency', '2']);
    await waitFor(() => existsSync(join(dir, 'out/bench.txt')) && staged(dir).length > 0);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted by SIGINT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(lockOf(dir))).toBe(false);
    expect(staged(dir)).toEqual([]);
    expect(existsSync(join(dir, 'out/double/B.txt'))).toBe(false);
    const logs = readdirSync(join(dir, 'artifacts/.dag/runs'));
    expect(logs).toHaveLength(1);
    const events = readFileSync(join(dir, 'artifacts/.dag/runs', logs[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === 'end').map((e) => e.instance).sort()).toEqual(['bench', 'double[A]']);
    expect(events.find((e) => e.event === 'abort')?.instance).toBe('double[B]');

    writeFileSync(join(dir, 'raw/B.txt'), '5');
    const again = runJson(dir, ['run', 'all']);
    expect(ran(again)).toEqual(['double[B]', 'total']);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe(String(2 * (1 + 5)));
  });

  test('SIGTERM: exit 143 and the lock is gone; while it ran, the holder renewed its lease', async () => {
    const dir = makeToyProject(['A', 'B']);
    writeFileSync(join(dir, 'raw/B.txt'), 'sleep:60000');
    const { child, done } = startDag(dir, ['run', 'all']);
    await waitFor(() => existsSync(lockOf(dir)));
    const first = JSON.parse(readFileSync(lockOf(dir), 'utf8')) as LockInfo;
    expect(first.pid).toBe(child.pid);
    // the lease is renewed every few seconds while the run goes on
    await waitFor(() => {
      try {
        return (JSON.parse(readFileSync(lockOf(dir), 'utf8')) as LockInfo).renewed! > first.renewed!;
      } catch {
        return false; // between the renewal's write and rename
      }
    });
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(143);
    expect(existsSync(lockOf(dir))).toBe(false);
  });

  test.each([
    ['verify', (d: string) => ['verify', 'all']],
    ['audit lookahead', (d: string) => ['audit', 'lookahead', '--target', 'all', '--cutoff', '2024-01-15']],
  ])('SIGTERM during %s: exit 143 and its sandbox folders are removed', async (_name, args) => {
    const dir = makeDatedToy();
    expect(dag(dir, ['run', 'all', '--update-lock']).code).toBe(0);
    writeFileSync(join(dir, 'settings.yaml'), readFileSync(join(dir, 'settings.yaml'), 'utf8').replace('sleep_ms: 0', 'sleep_ms: 60000'));
    const tmp = mkdtempSync(join(tmpdir(), 'dag-rule4-tmp-'));
    const { child, done } = startDag(dir, args(dir), { TMPDIR: tmp });
    const sandboxes = () => readdirSync(tmp).filter((n) => n.startsWith('dag-sandbox-'));
    // the rebuild is running once its sandbox holds a run lock
    await waitFor(() => sandboxes().some((s) => existsSync(join(tmp, s, 'work/artifacts/.dag/lock'))));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/interrupted by SIGTERM/);
    expect(sandboxes()).toEqual([]);
  });
});

describe('rule 4: a lock whose lease expired is stale whatever its host or pid', () => {
  test('a lock from another host with an expired lease is taken over', () => {
    const dir = makeToyProject(['A', 'B']);
    plantLock(dir, { host: 'container-before-restart', pid: 4242, renewed: minutesAgo(5) });
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(0);
    expect(existsSync(lockOf(dir))).toBe(false);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe(String(2 * (1 + 2)));
  });

  test('a lock of a reused pid (a live, unrelated process) with an expired lease is taken over', () => {
    const dir = makeToyProject(['A', 'B']);
    plantLock(dir, { pid: process.pid, renewed: minutesAgo(5) }); // this test process is alive
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(0);
    expect(existsSync(lockOf(dir))).toBe(false);
  });

  test.each([
    ['on this host, by a live process', { pid: process.pid }],
    ['on another host', { host: 'other-host', pid: 4242 }],
  ])('a live lease %s blocks: exit 3, naming the holder and `dag unlock`', (_name, info) => {
    const dir = makeToyProject(['A', 'B']);
    plantLock(dir, info);
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`another dag run holds .*lock: pid ${info.pid} on ${info.host ?? hostname()}`));
    expect(r.stderr).toMatch(/`dag unlock`/);
    expect(existsSync(lockOf(dir))).toBe(true);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('the verdict, by hand: expiry wins over a live pid or another host; a dead pid here is stale even with a live lease', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const base = { pid: 7, host: 'h', started: '2026-01-01T11:00:00Z', command: 'x', lease_ms: 60_000 };
    const alive = () => true;
    const dead = () => false;
    expect(lockVerdict({ ...base, renewed: '2026-01-01T11:58:59Z' }, now, 'h', alive).stale).toBe(true);
    expect(lockVerdict({ ...base, renewed: '2026-01-01T11:58:59Z' }, now, 'other', alive).stale).toBe(true);
    expect(lockVerdict({ ...base, renewed: '2026-01-01T11:59:30Z' }, now, 'other', alive).stale).toBe(false);
    expect(lockVerdict({ ...base, renewed: '2026-01-01T11:59:30Z' }, now, 'h', alive).stale).toBe(false);
    expect(lockVerdict({ ...base, renewed: '2026-01-01T11:59:30Z' }, now, 'h', dead).stale).toBe(true);
    // a lock from before leases: only its pid on this host can be judged
    expect(lockVerdict(base, now, 'h', dead).stale).toBe(true);
    expect(lockVerdict(base, now, 'other', dead).stale).toBe(false);
  });
});

describe('rule 4: `dag unlock`', () => {
  test('shows what it removes; without a terminal it refuses unless --yes; with --yes the lock is gone and a run goes ahead', () => {
    const dir = makeToyProject(['A', 'B']);
    plantLock(dir, { host: 'other-host', pid: 4242 });
    const refused = dag(dir, ['unlock']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pid 4242 on other-host/);
    expect(refused.stderr).toMatch(/--yes/);
    expect(existsSync(lockOf(dir))).toBe(true);
    const removed = dag(dir, ['unlock', '--yes', '--json']);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toMatch(/pid 4242 on other-host/);
    expect(JSON.parse(removed.stdout)).toMatchObject({ found: true, removed: true, holder: { pid: 4242, host: 'other-host' } });
    expect(existsSync(lockOf(dir))).toBe(false);
    expect(dag(dir, ['run', 'all']).code).toBe(0);
    const none = dag(dir, ['unlock', '--yes']);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/no run lock at .*nothing to remove/);
  });
});
