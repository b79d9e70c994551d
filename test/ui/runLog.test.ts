import { describe, expect, test } from '@jest/globals';
import { parseRunLog } from '../../lib/ui/runLog.js';

const T0 = Date.parse('2026-01-02T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const line = (ms: number, fields: Record<string, unknown>) => JSON.stringify({ time: at(ms), level: 'debug', message: 'x', ...fields });

// a hand-made log: a ran on worker 0 from 0 to 1000 ms; b failed on worker 1 from 100 to 2000 ms;
// c was a cache hit; d was restored (an action this code does not know) on a remote worker
const LOG = [
  line(0, { event: 'run-start', target: 'all', command: 'dag run all', user: 'ann', instances: 4 }),
  line(0, { event: 'start', instance: 'a' }),
  line(100, { event: 'start', instance: 'b' }),
  line(150, { event: 'skip', action: 'skipped', instance: 'c' }),
  line(1000, { event: 'end', action: 'ran', instance: 'a', ms: 1000, worker: 0 }),
  line(1500, { event: 'end', action: 'restored', instance: 'd', ms: 200, worker: 'host-b:1' }),
  line(2000, { event: 'fail', action: 'failed', instance: 'b', ms: 1900, worker: 1, error: 'cannot double B' }),
  line(2100, { event: 'run-end', target: 'all', durationMs: 2100 }),
].join('\n') + '\n';

describe('a run log read back', () => {
  const run = parseRunLog('r1', LOG, false);

  test('target, who started it, and how many instances it covers', () => {
    expect(run.info).toMatchObject({ id: 'r1', target: 'all', command: 'dag run all', user: 'ann', instances: 4, durationMs: 2100 });
  });

  test('counts per action, an unknown action (restored) counted as it comes', () => {
    expect(run.info.counts).toEqual({ ran: 1, skipped: 1, restored: 1, failed: 1 });
    expect(run.info.status).toBe('failed');
    expect(run.info.failures).toEqual([{ instance: 'b', error: 'cannot double B' }]);
  });

  test('a bar per instance that took time, on its worker lane; a cache hit has none', () => {
    expect(run.bars).toEqual([
      { instance: 'a', lane: '0', start: T0, end: T0 + 1000, action: 'ran' },
      { instance: 'b', lane: '1', start: T0 + 100, end: T0 + 2000, action: 'failed', error: 'cannot double B' },
      // no start entry: it began ms before its end
      { instance: 'd', lane: 'host-b:1', start: T0 + 1300, end: T0 + 1500, action: 'restored' },
    ]);
  });
});

describe('a run still going', () => {
  const text = [line(0, { event: 'run-start', target: 'all', instances: 2 }), line(0, { event: 'start', instance: 'a' }), line(10, { event: 'start', instance: 'b' }), line(500, { event: 'end', action: 'ran', instance: 'a', ms: 500, worker: 0 })].join('\n') + '\n';

  test('while its process lives, started and unfinished instances are running', () => {
    const run = parseRunLog('r2', text, true);
    expect(run.info.status).toBe('running');
    expect([...run.open]).toEqual(['b']);
    expect(run.bars.find((b) => b.instance === 'b')).toEqual({ instance: 'b', lane: 'in progress', start: T0 + 10, end: null, action: 'running' });
  });

  test('once its process is gone without a run-end, it was interrupted', () => {
    const run = parseRunLog('r2', text, false);
    expect(run.info.status).toBe('interrupted');
    expect(run.open.size).toBe(0);
  });
});

describe('logs the UI cannot fully read', () => {
  test('a line cut short by a kill is reported by its number and skipped', () => {
    const text = line(0, { event: 'start', instance: 'a' }) + '\n' + line(5, { event: 'end', instance: 'a', ms: 5 }) + '\n{"time":"2026-01-02T10:0';
    const run = parseRunLog('r3', text, false);
    expect(run.badLines).toEqual([3]);
    // a log from before actions were logged: event 'end' means ran
    expect(run.info.counts).toEqual({ ran: 1 });
  });

  test('cache hits named many to a line (batch) count one by one, with no bar', () => {
    const batched = [
      line(0, { event: 'run-start', target: 'all', instances: 4 }),
      line(10, { event: 'skip', action: 'skipped', cache: 'hit', batch: ['a', 'b', 'c'] }),
      line(20, { event: 'end', action: 'ran', instance: 'd', ms: 5, worker: 0 }),
      line(30, { event: 'run-end', target: 'all', durationMs: 30 }),
    ].join('\n');
    const r = parseRunLog('r3', batched, false);
    expect(r.info.counts).toEqual({ skipped: 3, ran: 1 });
    expect([...r.outcomes.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(r.bars.map((b) => b.instance)).toEqual(['d']);
  });
});
