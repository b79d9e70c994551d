import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type winston from 'winston';
import type { Project } from '../project.js';
import { acquireRunLock, type ReleaseRunLock } from '../runLock.js';
import type { FileStore } from './fileStore.js';
import type { RunCache } from './runCache.js';
import { applyGc, listStore, planGc, type GcPlan } from './gc.js';
import type { GcLimits } from './settings.js';
import { formatBytes } from './size.js';

/** A blob no manifest names yet may be a run's, written just before its manifest: left an hour. */
const ORPHAN_GRACE_MS = 3_600_000;

/**
 * Garbage-collect a local store under `limits`, never an entry or blob this checkout's records
 * point at. The caller holds the run lock (a run in progress has blobs without manifests yet) and
 * passes its `keepAlive`: a large store takes longer to read than the lock's lease.
 */
export function gcForCheckout(project: Project, store: FileStore, limits: GcLimits, lock: { keepAlive(): void }, dryRun = false): GcPlan & { protectedEntries: number } {
  const protectedKeys = new Set<string>();
  const protectedBlobs = new Set<string>();
  for (const rec of project.state.records.values()) {
    if (rec.status !== 'ok') continue;
    protectedKeys.add(rec.key);
    for (const h of Object.values(rec.outputs)) protectedBlobs.add(h);
  }
  const listedAt = Date.now();
  const plan = planGc(listStore(store, lock.keepAlive), protectedKeys, protectedBlobs, {
    maxAgeMs: limits.maxAgeDays === undefined ? undefined : limits.maxAgeDays * 86_400_000,
    maxBytes: limits.maxBytes,
    now: Date.now(),
    orphanGraceMs: ORPHAN_GRACE_MS,
  });
  if (!dryRun) applyGc(store, plan, listedAt, lock.keepAlive, ORPHAN_GRACE_MS);
  return { ...plan, protectedEntries: protectedKeys.size };
}

/** Automatic collections are at most this often: listing a large store reads every manifest. */
const AUTO_GC_INTERVAL_MS = 86_400_000;
const STAMP = '.last-gc';

/** Whether the last automatic collection of this store is a day old (or there was none). */
function gcDue(stamp: string, now: number): boolean {
  try {
    return now - statSync(stamp).mtimeMs >= AUTO_GC_INTERVAL_MS;
  } catch {
    return true; // never collected
  }
}

/**
 * After a run that stored results: the store limits of the settings (`cache.max_size`,
 * `cache.max_age_days`) applied at most once a day, so a store that a daily run grows by every
 * ticker's new artifacts stays bounded without anyone running `dag cache gc`. Checked before the
 * run lock is taken again (the runs of the day in between pay one stat); under the lock another
 * run may hold, in which case the collection waits for a later run. Never fails the run.
 */
export function autoGcAfterRun(project: Project, cache: RunCache, logger: winston.Logger, now = Date.now()): void {
  const { limits } = cache.cfg;
  const stamp = join(cache.local.dir, STAMP);
  if ((limits.maxAgeDays === undefined && limits.maxBytes === undefined) || !gcDue(stamp, now)) return;
  let release: ReleaseRunLock;
  try {
    release = acquireRunLock(project.stateDir, 'dag run (cache gc)');
  } catch (err) {
    logger.debug(`cache gc skipped: ${(err as Error).message}`);
    return;
  }
  try {
    const done = gcForCheckout(project, cache.local, limits, release);
    writeFileSync(stamp, new Date(now).toISOString() + '\n');
    if (done.removeKeys.length) {
      const why = [limits.maxBytes !== undefined ? `cache.max_size ${formatBytes(limits.maxBytes)}` : '', limits.maxAgeDays !== undefined ? `cache.max_age_days ${limits.maxAgeDays}` : ''].filter(Boolean).join(', ');
      logger.info(`cache gc (${why}; at most once a day): removed ${done.removeKeys.length} of ${done.entriesBefore} entries, ${formatBytes(done.bytesBefore)} -> ${formatBytes(done.bytesAfter)}`);
    }
  } catch (err) {
    logger.warn(`cache gc failed (the run's results are kept): ${(err as Error).message}`);
  } finally {
    release();
  }
}
