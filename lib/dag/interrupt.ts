import { UserError } from './errors.js';

/** Exit codes of a command stopped by a signal (128 + the signal's number, as shells report it). */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;

/** How long running instances may go on after the first signal before they are aborted. */
export const GRACE_MS = 3000;
/** After this, the process exits whatever is still going on: a signal never leaves dag hanging. */
const DEADLINE_MS = 15000;

let received: StopSignal | undefined;
const listeners = new Set<(signal: StopSignal) => void>();
/** A server command (`ui`, `worker`) runs: a stop signal is how it ends, not an interruption. */
let serving = false;

/**
 * Ctrl-C (SIGINT) and `kill` (SIGTERM) stop a dag command cleanly: the first signal tells every
 * listener (a run stops scheduling, then aborts what still runs after GRACE_MS), a second one
 * exits at once. Exiting runs the process's 'exit' handlers, which release the run lock and
 * remove sandboxes, so neither path leaves a lock or a temporary folder behind.
 */
export function installSignalHandlers(): void {
  for (const signal of Object.keys(SIGNAL_EXIT) as StopSignal[]) process.on(signal, () => onSignal(signal));
}

function onSignal(signal: StopSignal): void {
  if (received) {
    process.stderr.write(`dag: ${signal} again: exiting now\n`);
    process.exit(SIGNAL_EXIT[received]);
  }
  received = signal;
  // a server says itself how it stops, and may take as long as its running jobs need
  if (!serving) {
    process.stderr.write(`dag: ${signal} received: stopping (running instances get ${GRACE_MS / 1000} s to finish; ${signal} again exits at once)\n`);
    setTimeout(() => process.exit(SIGNAL_EXIT[signal]), DEADLINE_MS).unref();
  }
  for (const fn of listeners) fn(signal);
}

/**
 * For a command that serves until it is stopped (`dag ui`, `dag worker`): the first SIGINT or
 * SIGTERM calls `stop`, and the command then ends normally (exit 0 once it has returned); a
 * second signal still exits at once.
 */
export function untilStopSignal(): Promise<StopSignal> {
  serving = true;
  return new Promise((resolve) => {
    if (received) return resolve(received);
    listeners.add(resolve);
  });
}

/** A stop signal ended a command that was not serving: it exits 130/143 (cli.ts). */
export function interruptedCommand(): StopSignal | undefined {
  return serving ? undefined : received;
}

/** The stop signal received, if any. */
export function interruption(): StopSignal | undefined {
  return received;
}

/** A command stopped by a signal: printed as one `dag:` line, exit 130 or 143. */
export class Interrupted extends UserError {
  constructor(readonly signal: StopSignal, what: string) {
    super(`interrupted by ${signal}: ${what}`, SIGNAL_EXIT[signal]);
  }
}

export function throwIfInterrupted(what: string): void {
  if (received) throw new Interrupted(received, what);
}

export const ABORTED = Symbol('aborted');

export interface InterruptScope {
  /** Resolves (after `abort` has finished) once running work must be given up. */
  aborted: Promise<typeof ABORTED>;
  dispose: () => void;
}

/**
 * For one run: on a signal, `stop` at once (schedule nothing new), and `abort` what still runs
 * GRACE_MS later; `aborted` resolves when `abort` is done (e.g. worker threads terminated, so
 * nothing writes any more). Called after a signal already arrived, it stops at once.
 */
export function interruptScope(stop: () => void, abort: () => Promise<void>): InterruptScope {
  let timer: NodeJS.Timeout | undefined;
  let resolveAborted!: (v: typeof ABORTED) => void;
  const aborted = new Promise<typeof ABORTED>((res) => (resolveAborted = res));
  const listener = () => {
    stop();
    timer = setTimeout(() => void abort().finally(() => resolveAborted(ABORTED)), GRACE_MS);
  };
  if (received) listener();
  else listeners.add(listener);
  return {
    aborted,
    dispose: () => {
      listeners.delete(listener);
      if (timer) clearTimeout(timer);
    },
  };
}
