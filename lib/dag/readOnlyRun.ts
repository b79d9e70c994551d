import type winston from 'winston';
import type { Project } from './project.js';
import type { RunSummary } from './runner.js';
import { UserError } from './errors.js';
import { fsErrorMessage, isFsError, type ErrnoError } from './errorText.js';
import { disableRunLog } from './log.js';
import { outcomeId } from './instanceId.js';

/** Errors that mean "this folder may not be written" (a read-only mount, someone else's folder). */
export function isReadOnlyError(err: unknown): err is ErrnoError {
  return isFsError(err) && ['EROFS', 'EACCES', 'EPERM'].includes(err.code);
}

/**
 * A run whose state folder cannot be written. A run with nothing to do needs none of its state
 * (no lock: nobody can change a read-only folder either; no records; no run log), so it reports
 * every instance fresh and says what it did not write; a run with work to do stops before doing
 * any, saying why it cannot and what would have run. `assessed` is the run's dry-run summary.
 */
export function readOnlyRun(project: Project, assessed: RunSummary, cause: unknown, logger: winston.Logger): RunSummary {
  const why = isFsError(cause) ? fsErrorMessage(cause) : String(cause);
  const todo = assessed.instances.filter((i) => i.action === 'would-run').map(outcomeId);
  if (todo.length) {
    throw new UserError(
      `cannot run ${assessed.target}: the state folder ${project.stateDir} is not writable (${why}); ${todo.length} instance(s) need a run: ${todo.slice(0, 5).join(', ')}${todo.length > 5 ? ', ...' : ''}`,
      1,
    );
  }
  logger.warn(`the state folder ${project.stateDir} is not writable (${why}): everything is fresh, so nothing was written (no lock, no run log)`);
  disableRunLog(logger);
  return { ...assessed, instances: assessed.instances.map((i) => ({ ...i, reasons: [] })) };
}

/** Save the hash memo; in a folder that may not be written, skip it (it only saves re-hashing) and say so. */
export function saveMemo(project: Project, warn: (line: string) => void): void {
  try {
    project.memo.save();
  } catch (err) {
    if (!isReadOnlyError(err)) throw err;
    warn(`the hash memo was not saved (${fsErrorMessage(err)}): the next command re-hashes what changed`);
  }
}
