import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToyProject } from './toyProject.js';

/** Settings that make a project use a shared file:// remote store and the bullmq executor on `redisUrl`. */
export function distributedSettings(remoteDir: string, redisUrl: string, extra: Record<string, number> = {}): string {
  const ex = { lock_seconds: 2, stalled_check_seconds: 1, worker_wait_seconds: 20, redis_timeout_seconds: 2, ...extra };
  return [
    'cache:',
    `  remote: file://${remoteDir}`,
    'executor:',
    '  kind: bullmq',
    `  redis: ${redisUrl}`,
    ...Object.entries(ex).map(([k, v]) => `  ${k}: ${v}`),
    '',
  ].join('\n');
}

/** The toy project (test/support/toyProject.ts) with `raw` values per ticker, set up for the bullmq executor. */
export function makeDistributedToy(raw: Record<string, string>, redisUrl: string, extra: Record<string, number> = {}): { dir: string; remote: string } {
  const tickers = Object.keys(raw);
  const dir = makeToyProject(tickers, Object.fromEntries(tickers.map((t) => [`raw/${t}.txt`, raw[t]])));
  const remote = mkdtempSync(join(tmpdir(), 'dag-remote-'));
  appendFileSync(join(dir, 'settings.yaml'), distributedSettings(remote, redisUrl, extra));
  return { dir, remote };
}
