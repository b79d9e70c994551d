import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../io/atomic.js';
import type { CacheStats } from './runCache.js';

const FILE = 'cache-last-run.json';

const lastRunSchema = z.object({
  command: z.string(),
  lookups: z.number(),
  localHits: z.number(),
  remoteHits: z.number(),
  rejected: z.number(),
  stored: z.number(),
  uploaded: z.number(),
  bytesRestored: z.number(),
  bytesDownloaded: z.number(),
  bytesUploaded: z.number(),
  storeMs: z.number().default(0),
});

export type LastRun = z.infer<typeof lastRunSchema>;

/** What the last run of this checkout did with the stores (for the hit rate in `dag cache status`). */
export function writeLastRun(stateDir: string, command: string, stats: CacheStats): void {
  writeFileAtomic(join(stateDir, FILE), JSON.stringify({ command, ...stats, storeMs: Math.round(stats.storeMs) }) + '\n', false);
}

export function readLastRun(stateDir: string): LastRun | null {
  const file = join(stateDir, FILE);
  if (!existsSync(file)) return null;
  const parsed = lastRunSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}
