import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendFileAll, setWriteFunction, writeFileAtomic, WriteError, type WriteFunction } from '../../lib/io/atomic.js';
import { StateStore, type InstanceRecord } from '../../lib/dag/state.js';
import { HashMemo } from '../../lib/dag/hashMemo.js';
import { writeLock } from '../../lib/dag/lock.js';
import { acquireRunLock } from '../../lib/dag/runLock.js';
import { closeLogger, createLogger } from '../../lib/dag/log.js';
import { openProject, targetNodes, type Project } from '../../lib/dag/project.js';
import { selectInstances } from '../../lib/dag/plan.js';
import { runPlan } from '../../lib/dag/runner.js';
import { makeToyProject, TOY_DAG } from '../support/toyProject.js';
import { dag } from '../support/cli.js';
import { STACK_LINE, tempLeftovers } from './support.js';

/**
 * Rule 2 (docs/reliability.md): a file recorded as a good output is complete. On main,
 * lib/io/atomic.ts ignored writeSync's byte count, so a full disk renamed a prefix into place.
 */
const realWrite: WriteFunction = (fd, b, o, l) => writeSync(fd, b, o, l);
const pathOf = (fd: number) => readlinkSync(`/proc/self/fd/${fd}`);
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A disk with `room` bytes left: writes a prefix, then fails as Linux does (ENOSPC). */
function fullDisk(room: number, only: (path: string) => boolean = () => true): WriteFunction {
  let left = room;
  return (fd, buf, off, len) => {
    if (!only(pathOf(fd))) return realWrite(fd, buf, off, len);
    if (left <= 0) throw enospc();
    const n = realWrite(fd, buf, off, Math.min(len, left));
    left -= n;
    return n;
  };
}

afterEach(() => {
  setWriteFunction(realWrite);
});

const tmp = () => mkdtempSync(join(tmpdir(), 'dag-rule2-'));
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('rule 2: every write checks that all bytes were written', () => {
  test('short writes are continued until every byte is on disk', () => {
    const dir = tmp();
    const data = Buffer.from(Array.from({ length: 117_888 }, (_, i) => i % 251));
    setWriteFunction((fd, b, o, l) => realWrite(fd, b, o, Math.min(l, 4096))); // 4 KiB per call at most
    writeFileAtomic(join(dir, 'f.parquet'), data);
    expect(sha(readFileSync(join(dir, 'f.parquet')))).toBe(sha(data));
  });

  test('a full disk leaves the old file, no temp file, and says "no space left on device while writing <path>"', () => {
    const dir = tmp();
    const file = join(dir, 'f.parquet');
    writeFileSync(file, 'old bytes');
    setWriteFunction(fullDisk(65_536));
    expect(() => writeFileAtomic(file, Buffer.alloc(117_888, 7))).toThrow(new WriteError(`no space left on device while writing ${file}`, file));
    expect(readFileSync(file, 'utf8')).toBe('old bytes');
    expect(tempLeftovers(dir)).toEqual([]);
  });

  test('a write call that makes no progress is a full disk too (no endless loop, no partial file)', () => {
    const dir = tmp();
    const file = join(dir, 'g.bin');
    setWriteFunction((fd, b, o, l) => (o === 0 ? realWrite(fd, b, o, Math.min(l, 10)) : 0));
    expect(() => writeFileAtomic(file, Buffer.alloc(100, 1))).toThrow(`no space left on device while writing ${file} (10 of 100 bytes written)`);
    expect(existsSync(file)).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  test('a failed journal append is cut back: no partial line for the next append to run into', () => {
    const dir = tmp();
    const journal = join(dir, 'journal.jsonl');
    appendFileAll(journal, '{"a":1}\n');
    setWriteFunction(fullDisk(5));
    expect(() => appendFileAll(journal, '{"b":2222222}\n')).toThrow(`no space left on device while writing ${journal}`);
    expect(readFileSync(journal, 'utf8')).toBe('{"a":1}\n');
  });

  test('state files: records, journal, hash memo, dag.lock, run lock and run log fail cleanly', async () => {
    const dir = tmp();
    const record: InstanceRecord = { status: 'ok', key: 'k', parts: { nodeKey: 'n', inputs: {}, outputs: ['o'] }, outputs: { o: 'h' }, ms: 1 };
    const node = { decl: 'd', code: {}, params: {}, engine: 'e' };
    const state = new StateStore(dir);
    state.record('x', record, node);
    state.compact();
    const recordsBefore = readFileSync(join(dir, 'records.json'));

    setWriteFunction(fullDisk(3));
    expect(() => state.record('y', { ...record, key: 'k2' }, node)).toThrow(`no space left on device while writing ${join(dir, 'journal.jsonl')}`);
    expect(existsSync(join(dir, 'journal.jsonl')) ? readFileSync(join(dir, 'journal.jsonl'), 'utf8') : '').toBe('');
    expect(state.records.has('y')).toBe(false);
    setWriteFunction(realWrite);
    state.record('z', { ...record, key: 'k3' }, node);
    setWriteFunction(fullDisk(3));
    expect(() => state.compact()).toThrow(`no space left on device while writing ${join(dir, 'records.json')}`);
    expect(readFileSync(join(dir, 'records.json'))).toEqual(recordsBefore);
    expect(new StateStore(dir).records.has('z')).toBe(true); // still in the journal

    writeFileSync(join(dir, 'data.txt'), 'x');
    const memo = new HashMemo(join(dir, 'hashes.json'));
    memo.hash(join(dir, 'data.txt'));
    setWriteFunction(fullDisk(3));
    expect(() => memo.save()).toThrow(`no space left on device while writing ${join(dir, 'hashes.json')}`);
    expect(existsSync(join(dir, 'hashes.json'))).toBe(false);

    setWriteFunction(fullDisk(3));
    expect(() => writeLock({ dag: { root: dir } } as unknown as Project, { version: 1, target: 't', instances: { x: { key: 'k', outputs: {} } } })).toThrow(`no space left on device while writing ${join(dir, 'dag.lock')}`);
    expect(existsSync(join(dir, 'dag.lock'))).toBe(false);

    setWriteFunction(fullDisk(3));
    expect(() => acquireRunLock(join(dir, 'state'), 'dag run t')).toThrow(`no space left on device while writing ${join(dir, 'state', 'lock')}`);
    expect(existsSync(join(dir, 'state', 'lock'))).toBe(false);

    const logger = createLogger({ runLog: join(dir, 'runs', 'r.jsonl'), quiet: true });
    logger.info('something');
    setWriteFunction(fullDisk(3));
    await expect(closeLogger(logger)).rejects.toThrow(`no space left on device while writing ${join(dir, 'runs', 'r.jsonl')}`);
    expect(existsSync(join(dir, 'runs', 'r.jsonl'))).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  test('a task whose output hits a full disk: run fails with the path, nothing recorded for it, no temp file; the rerun completes', async () => {
    const dag = TOY_DAG.replace(/( {4}description: .*\n)/g, '$1    in_process: true\n');
    const dir = makeToyProject(['A', 'B', 'C'], { 'pipeline.dag.yaml': dag });
    const open = () => openProject({ dagFile: join(dir, 'pipeline.dag.yaml') });
    const logger = createLogger({ quiet: true });
    let project = await open();
    const ids = selectInstances(project.plan, targetNodes(project, 'all'));
    setWriteFunction(fullDisk(0, (p) => p.includes('/out/.total.txt.tmp-')));
    await expect(runPlan(project, { target: 'all', ids, logger, progress: false, command: 'test' })).rejects.toThrow(new WriteError('no space left on device while writing out/total.txt', ''));
    setWriteFunction(realWrite);
    project = await open();
    expect(project.state.records.has('total')).toBe(false);
    expect(project.state.records.get('double[C]')?.status).toBe('ok');
    expect(existsSync(join(dir, 'out/total.txt'))).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
    const summary = await runPlan(project, { target: 'all', ids, logger, progress: false, command: 'test' });
    expect(summary.instances.filter((i) => i.action === 'ran').map((i) => i.node)).toEqual(['total']);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('12');
  });
});

describe('rule 2 on a real full disk (a 200 KiB tmpfs)', () => {
  const mnt = mkdtempSync(join(tmpdir(), 'dag-tmpfs-'));
  let mounted = false;
  if (process.getuid?.() === 0) mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', mnt]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  const maybe = mounted ? test : test.skip;
  if (!mounted) console.warn(`skipping the tmpfs disk-full test: ${process.getuid?.() === 0 ? 'mount -t tmpfs failed' : 'not running as root'}`);

  maybe('dag run exits 1 with "dag: no space left on device while writing out/big.bin", no temp file, nothing recorded', () => {
    const dir = join(mnt, 'proj');
    mkdirSync(join(dir, 'tasks'), { recursive: true });
    mkdirSync(join(dir, 'raw'));
    writeFileSync(join(dir, 'pipeline.dag.yaml'), `version: 1
config: { file: settings.yaml }
fanout: tickers
targets: { all: [big] }
nodes:
  - id: small
    task: tasks/small.mjs
    description: a file that fits
    outputs: ["out/small.txt"]
  - id: big
    task: tasks/big.mjs
    description: a file larger than the disk
    inputs: [{ node: small }]
    outputs: ["out/big.bin"]
    params: [size]
`);
    writeFileSync(join(dir, 'settings.yaml'), 'tickers: [A]\nsize: 300000\n');
    writeFileSync(join(dir, 'tasks/small.mjs'), "export default (ctx) => ctx.writeBytes('out/small.txt', 'ok');\n");
    writeFileSync(join(dir, 'tasks/big.mjs'), "export default (ctx) => ctx.writeBytes('out/big.bin', new Uint8Array(ctx.param('size')).fill(7));\n");
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dag: no space left on device while writing out/big.bin');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(dir, 'out/big.bin'))).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
    const records = JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8'));
    expect(Object.keys(records.records)).toEqual(['small']);
    // with room again, the rerun completes and the file is whole
    writeFileSync(join(dir, 'settings.yaml'), 'tickers: [A]\nsize: 100000\n');
    expect(dag(dir, ['run', 'all']).code).toBe(0);
    expect(readFileSync(join(dir, 'out/big.bin')).length).toBe(100_000);
  });
});
