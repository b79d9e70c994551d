import winston from 'winston';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

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
  if (opts.runLog) {
    mkdirSync(dirname(opts.runLog), { recursive: true });
    transports.push(new winston.transports.File({
      filename: opts.runLog,
      level: 'debug',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    }));
  }
  return winston.createLogger({ transports });
}

/** Wait until the file transports have flushed (winston writes asynchronously). */
export function closeLogger(logger: winston.Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.on('finish', () => setTimeout(resolve, 20));
    logger.end();
  });
}
