import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { WriteError, writeAllSync, writeFileAtomic } from '../io/atomic.js';
import { UserError } from './errors.js';
import { pidAlive } from './litter.js';

/** A holder rewrites `renewed` this often while it runs. */
export const RENEW_MS = 5_000;
/**
 * A lock whose `renewed` is older than this is stale whatever its host or pid: twelve missed
 * renewals, so a main thread busy for a while does not lose its lock.
 */
export const LEASE_MS = 60_000;

const lockInfoSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  started: z.string(),
  command: z.string(),
  // absent in locks written before leases existed
  renewed: z.string().optional(),
  lease_ms: z.number().positive().optional(),
  token: z.string().optional(),
});

export type LockInfo = z.infer<typeof lockInfoSchema>;

export function runLockFile(stateDir: string): string {
  return join(stateDir, 'lock');
}

/** The lock's content, or null when it is not a lock (half-written by a run killed while taking it). */
export function readRunLock(file: string): LockInfo | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = lockInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface LockVerdict {
  stale: boolean;
  why: string;
}

/**
 * Whether a lock still protects a run. Pure: `alive` says whether a pid runs on this host.
 * An expired lease is stale even if the pid runs (it may be an unrelated process that reused
 * the pid) or the host is another one (a container restarted under a new hostname); a live
 * lease on this host whose pid is gone is stale too (the run was killed moments ago).
 */
export function lockVerdict(info: LockInfo, now: number, host: string, alive: (pid: number) => boolean): LockVerdict {
  const sameHost = info.host === host;
  if (sameHost && !alive(info.pid)) return { stale: true, why: `its process ${info.pid} is gone` };
  if (info.renewed !== undefined) {
    const expires = Date.parse(info.renewed) + (info.lease_ms ?? LEASE_MS);
    if (!(expires > now)) return { stale: true, why: `its lease expired at ${new Date(Number.isNaN(expires) ? 0 : expires).toISOString()}` };
    return { stale: false, why: `its lease runs until ${new Date(expires).toISOString()}` };
  }
  return { stale: false, why: sameHost ? `its process ${info.pid} runs` : `it was written on another host (${info.host}) by a dag without leases` };
}

// one liveness check for locks and litter alike
export { pidAlive };

export function describeLock(info: LockInfo): string {
  return `pid ${info.pid} on ${info.host}, started ${info.started}${info.renewed ? `, lease renewed ${info.renewed}` : ''} (${info.command})`;
}

/**
 * Releases the run lock. `keepAlive()` renews the lease when a renewal is due: a long
 * synchronous stretch (a cache gc reading a large store's manifests) calls it as it goes, since
 * the renewal timer cannot fire until it returns and the lease would expire under it.
 */
export type ReleaseRunLock = (() => void) & { keepAlive(): void };

/**
 * One run at a time per state folder. The lock file is created with O_EXCL so two runs cannot
 * both take it; while the run goes on an unref'd timer renews its lease (it never keeps the
 * process alive, and a no-op run ends before it first fires). A stale lock is taken over.
 */
export function acquireRunLock(stateDir: string, command: string): ReleaseRunLock {
  mkdirSync(stateDir, { recursive: true });
  const file = runLockFile(stateDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date().toISOString();
    const info: LockInfo = { pid: process.pid, host: hostname(), started: now, command, renewed: now, lease_ms: LEASE_MS, token: randomBytes(8).toString('hex') };
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readRunLock(file);
      if (holder) {
        const verdict = lockVerdict(holder, Date.now(), hostname(), pidAlive);
        if (!verdict.stale) {
          throw new UserError(
            `another dag run holds ${file}: ${describeLock(holder)}; ${verdict.why}. Wait for it to finish, or if that run is gone, remove the lock with \`dag unlock\``,
            3,
          );
        }
      }
      takeOver(file, holder);
      continue;
    }
    try {
      writeAllSync(fd, JSON.stringify(info), file);
    } catch (err) {
      if (err instanceof WriteError) rmSync(file, { force: true }); // a cut-short lock is nobody's
      throw err;
    } finally {
      closeSync(fd);
    }
    return holdLock(file, info);
  }
  throw new UserError(`could not take the run lock ${file}: other runs keep taking it; try again`, 3);
}

/**
 * Move a stale lock out of the way. Renaming (not deleting) makes the take-over safe when two
 * runs find the same stale lock: only one rename of it succeeds, and a run that moved a lock
 * other than the stale one it judged (another run took over in between) puts it back.
 */
function takeOver(file: string, judged: LockInfo | null): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else moved it
    throw err;
  }
  const moved = readRunLock(aside);
  if (moved && (!judged || moved.token !== judged.token)) {
    try {
      linkSync(aside, file); // never overwrites a lock taken meanwhile
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  rmSync(aside, { force: true });
}

function holdLock(file: string, info: LockInfo): ReleaseRunLock {
  let released = false;
  let lost = false;
  let renewedAt = Date.now();
  const renewNow = () => {
    if (lost || released) return;
    renewedAt = Date.now();
    const current = readRunLock(file);
    if (!current || current.token !== info.token) {
      // removed with `dag unlock` or taken over: it is no longer ours to renew
      lost = true;
      clearInterval(renew);
      process.stderr.write(`warn: the run lock ${file} was removed or taken over while this run held it\n`);
      return;
    }
    try {
      writeFileAtomic(file, JSON.stringify({ ...info, renewed: new Date(renewedAt).toISOString() }));
    } catch (err) {
      // a timer cannot throw into the run; the next renewal tries again before the lease ends
      process.stderr.write(`warn: could not renew the run lock ${file}: ${(err as Error).message}\n`);
    }
  };
  const renew = setInterval(renewNow, RENEW_MS);
  renew.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(renew);
    process.off('exit', release);
    const current = existsSync(file) ? readRunLock(file) : null;
    if (!current || current.token === info.token) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return Object.assign(release, { keepAlive: () => (Date.now() - renewedAt >= RENEW_MS ? renewNow() : undefined) });
}
