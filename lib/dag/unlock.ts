import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { UserError } from './errors.js';
import { describeLock, lockVerdict, pidAlive, readRunLock, runLockFile, type LockInfo } from './runLock.js';

export interface UnlockResult {
  lock: string;
  found: boolean;
  removed: boolean;
  holder: LockInfo | null;
}

export interface UnlockIo {
  /** Remove without asking. */
  yes: boolean;
  /** Whether a person can answer (stdin and stderr are terminals). */
  interactive: boolean;
  ask: (question: string) => Promise<string>;
  say: (line: string) => void;
}

/**
 * `dag unlock`: the escape hatch for a lock dag cannot judge stale by itself (a lease still
 * running after a crash on another host, say). Shows what it removes and asks first; without a
 * terminal it refuses unless told `--yes`, so a script never removes a live run's lock by accident.
 */
export async function unlockRunLock(stateDir: string, io: UnlockIo): Promise<UnlockResult> {
  const lock = runLockFile(stateDir);
  if (!existsSync(lock)) {
    io.say(`no run lock at ${lock}: nothing to remove`);
    return { lock, found: false, removed: false, holder: null };
  }
  const holder = readRunLock(lock);
  if (holder) {
    const verdict = lockVerdict(holder, Date.now(), hostname(), pidAlive);
    io.say(`run lock ${lock}: ${describeLock(holder)}`);
    io.say(verdict.stale ? `it is stale (${verdict.why}): the next run would take it over anyway` : `it looks held (${verdict.why}): removing it lets another run start beside that one`);
  } else {
    io.say(`run lock ${lock} is not a valid lock file: ${JSON.stringify(readFileSync(lock, 'utf8').slice(0, 200))}`);
  }
  if (!io.yes) {
    if (!io.interactive) throw new UserError(`refusing to remove ${lock} without confirmation: no terminal to ask on (pass --yes)`);
    const answer = (await io.ask('remove it? [y/N] ')).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      io.say('left in place');
      return { lock, found: true, removed: false, holder };
    }
  }
  rmSync(lock, { force: true });
  io.say(`removed ${lock}`);
  return { lock, found: true, removed: true, holder };
}
