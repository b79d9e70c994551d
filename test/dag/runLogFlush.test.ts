import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeLogger, createLogger } from '../../lib/dag/log.js';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the run log is written as the run goes', () => {
  test('lines reach the file without waiting for the end, an error at once, all of them at close', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dag-log-')), 'runs', 'r.jsonl');
    const logger = createLogger({ runLog: file, quiet: true });
    logger.debug('start a', { event: 'start', instance: 'a' });
    logger.info('ran a', { event: 'end', action: 'ran', instance: 'a', ms: 3, worker: 0 });
    // an error is written at once, with what was logged before it
    logger.error('failed b: boom', { event: 'fail', action: 'failed', instance: 'b', error: 'boom' });
    expect(lines(file).map((l) => [l.event, l.instance])).toEqual([['start', 'a'], ['end', 'a'], ['fail', 'b']]);
    logger.info('ran c', { event: 'end', action: 'ran', instance: 'c', ms: 1, worker: 1 });
    // other lines within the flush period (250 ms), still before the logger closes
    for (let i = 0; i < 40 && lines(file).length < 4; i++) await sleep(50);
    expect(lines(file).map((l) => l.instance)).toEqual(['a', 'a', 'b', 'c']);
    logger.info('ran d', { event: 'end', action: 'ran', instance: 'd', ms: 1, worker: 0 });
    await closeLogger(logger);
    const all = lines(file);
    expect(all.map((l) => l.instance)).toEqual(['a', 'a', 'b', 'c', 'd']);
    expect(all[1]).toMatchObject({ level: 'info', message: 'ran a', action: 'ran', worker: 0, ms: 3 });
  });

  test('a logger that logged nothing writes no file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dag-log-')), 'runs', 'r.jsonl');
    await closeLogger(createLogger({ runLog: file, quiet: true }));
    expect(existsSync(file)).toBe(false);
  });
});
