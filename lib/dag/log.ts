import winston from 'winston';
import Transport from 'winston-transport';
import { writeFileAtomic } from '../io/atomic.js';

/**
 * Collects the run's JSON lines in memory and writes them once when the logger closes:
 * winston's stream-based File transport costs ~15 µs per line, which dominated a no-op run
 * over thousands of cached instances.
 */
class RunLogTransport extends Transport {
  private readonly lines: string[] = [];

  constructor(private readonly file: string) {
    super({ level: 'debug' });
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const { level, message, ...meta } = info;
    this.lines.push(JSON.stringify({ time: new Date().toISOString(), level, message, ...meta }));
    next();
  }

  override close(): void {
    if (this.lines.length === 0) return;
    // atomic and checked: a full disk leaves no cut-short run log (and says so)
    writeFileAtomic(this.file, this.lines.join('\n') + '\n', false);
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

/** Flush the run log. */
export async function closeLogger(logger: winston.Logger): Promise<void> {
  for (const t of logger.transports) if (t instanceof RunLogTransport) t.close();
  logger.close();
}
