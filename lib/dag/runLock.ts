import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { WriteError, writeAllSync } from '../io/atomic.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.js';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/**
 * One run at a time per state folder. The lock file is created with O_EXCL so two runs cannot
 * both take it; a lock whose process is gone (killed run) is detected and cleared.
 */
export function acquireRunLock(stateDir: string, command: string): () => void {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
      try {
        writeAllSync(fd, JSON.stringify(info), file);
      } finally {
        closeSync(fd);
      }
      let released = false;
      const release = () => {
        if (!released) rmSync(file, { force: true });
        released = true;
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        if (err instanceof WriteError) rmSync(file, { force: true }); // a cut-short lock is nobody's
        throw err;
      }
      const holder = readLock(file);
      if (holder && isAlive(holder)) {
        throw new UserError(
          `another dag run holds ${file}: pid ${holder.pid} on ${holder.host}, started ${holder.started} (${holder.command}); wait for it to finish`,
          3,
        );
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new UserError(`could not take the run lock ${file}`, 3);
}

function readLock(file: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null; // half-written by a process killed while taking it: treat as stale
  }
}

function isAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot check another host's processes: assume alive
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
