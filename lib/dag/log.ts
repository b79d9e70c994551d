import winston from 'winston';
import Transport from 'winston-transport';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendFileAll } from '../io/atomic.js';

/** How long run-log lines may wait in memory before they reach the file (readers such as `dag ui` tail it). */
const FLUSH_MS = 250;

/**
 * Collects the run's JSON lines in memory and appends them to the file every 250 ms, at once
 * for an error, and when the logger closes: winston's stream-based File transport costs ~15 µs
 * per line, which dominated a no-op run over thousands of cached instances, while one append per
 * 250 ms costs nothing measurable and lets a reader follow a run as it goes.
 */
class RunLogTransport extends Transport {
  private lines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private created = false;
  /** Off for a run that may not write its state folder (disableRunLog), or after a failed write. */
  enabled = true;
  /** Why a flush failed: timers cannot throw into the run, so close() reports it (a full disk is exit 1). */
  failure: unknown;

  constructor(private readonly file: string) {
    super({ level: 'debug' });
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const { level, message, ...meta } = info;
    this.append(level as string, message, meta);
    next();
  }

  append(level: string, message: unknown, meta: object): void {
    this.lines.push(JSON.stringify({ time: new Date().toISOString(), level, message, ...meta }));
    if (level === 'error') this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    if (!this.enabled) return;
    const first = !this.created;
    try {
      if (first) mkdirSync(dirname(this.file), { recursive: true });
      this.created = true;
      // all or nothing: a full disk leaves no cut-short line (appendFileAll)
      appendFileAll(this.file, lines.join('\n') + '\n');
    } catch (err) {
      this.enabled = false;
      this.failure = err;
      if (first) rmSync(this.file, { force: true }); // no empty log of a run that could not log
    }
  }

  override close(): void {
    this.flush();
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined; // winston closes its transports again
      throw err;
    }
  }
}

/**
 * Console lines for people (always on stderr, so stdout stays clean for --json and for
 * summaries), and a JSON-lines file per run for machines.
 */
export function createLogger(opts: { runLog?: string; quiet?: boolean; verbose?: boolean }): winston.Logger {
  const transports: winston.transport[] = [
    new winston.transports.Console({
      level: opts.quiet ? 'warn' : opts.verbose ? 'debug' : 'info',
      stderrLevels: ['error', 'warn', 'info', 'debug'],
      format: winston.format.printf(({ level, message }) => (level === 'info' ? String(message) : `${level}: ${message}`)),
    }),
  ];
  if (opts.runLog) transports.push(new RunLogTransport(opts.runLog));
  return winston.createLogger({ transports });
}

/**
 * A debug line of a run's bookkeeping (cache hits): written straight to the run log when the
 * console does not show debug lines. Through winston's streams such a line costs ~50 µs with its
 * garbage, a quarter of a second of CPU for a no-op run over 5,000 cached instances; appended
 * here it costs what its JSON does. The line is the same either way.
 */
export function debugEntry(logger: winston.Logger, message: string, meta: Record<string, unknown>): void {
  const fast = fastPath(logger);
  if (fast) fast.append('debug', message, meta);
  else logger.debug(message, meta);
}

/** Whether the console shows debug lines (`--verbose`): then bookkeeping lines go one by one through winston. */
export function consoleShowsDebug(logger: winston.Logger): boolean {
  return fastPath(logger) === null;
}

function fastPath(logger: winston.Logger): RunLogTransport | null {
  let fast = fastPaths.get(logger);
  if (fast === undefined) {
    const consoleDebug = logger.transports.some((t) => !(t instanceof RunLogTransport) && t.level === 'debug');
    fast = consoleDebug ? null : (logger.transports.find((t) => t instanceof RunLogTransport) ?? null);
    fastPaths.set(logger, fast);
  }
  return fast;
}
const fastPaths = new WeakMap<winston.Logger, RunLogTransport | null>();

/** Write no run log for this logger (a run that may not write its state folder). */
export function disableRunLog(logger: winston.Logger): void {
  for (const t of logger.transports) {
    if (!(t instanceof RunLogTransport)) continue;
    t.enabled = false;
    t.failure = undefined; // a flush that failed before the run knew its folder is read-only
  }
}

/** Flush the run log; a write that failed (no space left, ...) is thrown here, once the logger is closed. */
export async function closeLogger(logger: winston.Logger): Promise<void> {
  try {
    for (const t of logger.transports) if (t instanceof RunLogTransport) t.close();
  } finally {
    logger.close();
  }
}
