import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { closeLogger, createLogger, debugEntry } from '../../lib/dag/log.js';

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

  test('bookkeeping lines written past winston are the lines winston writes, in order, and still reach a --verbose console', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dag-log-'));
    const viaWinston = createLogger({ runLog: join(dir, 'a.jsonl'), quiet: true });
    const direct = createLogger({ runLog: join(dir, 'b.jsonl'), quiet: true });
    for (const [logger, debug] of [[viaWinston, (m: string, meta: Record<string, unknown>) => viaWinston.debug(m, meta)], [direct, (m: string, meta: Record<string, unknown>) => debugEntry(direct, m, meta)]] as const) {
      logger.info('ran a', { event: 'end', action: 'ran', instance: 'a' });
      debug('skip b (cached)', { event: 'skip', action: 'skipped', instance: 'b', cache: 'hit' });
      logger.info('ran c', { event: 'end', action: 'ran', instance: 'c' });
      await closeLogger(logger);
    }
    const strip = (l: Record<string, unknown>) => ({ ...l, time: undefined });
    expect(lines(join(dir, 'b.jsonl')).map(strip)).toEqual(lines(join(dir, 'a.jsonl')).map(strip));
    expect(lines(join(dir, 'b.jsonl'))[1]).toMatchObject({ level: 'debug', message: 'skip b (cached)', event: 'skip', instance: 'b' });

    const verbose = createLogger({ runLog: join(dir, 'c.jsonl'), verbose: true });
    const shown: string[] = [];
    const cons = verbose.transports.find((t) => t instanceof winston.transports.Console)!;
    const log = cons.log!.bind(cons);
    cons.log = (info: { message: string }, next: () => void) => (shown.push(info.message), log(info, next));
    debugEntry(verbose, 'skip d (cached)', { event: 'skip', instance: 'd' });
    await closeLogger(verbose);
    expect(shown).toEqual(['skip d (cached)']);
    expect(lines(join(dir, 'c.jsonl')).map((l) => l.instance)).toEqual(['d']);
  });
});
