import { Redis } from 'ioredis';
import { UserError } from '../errors.js';

/** A Redis URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);
}

/**
 * ioredis options for a redis:// or rediss:// URL (user, password, db, TLS). BullMQ needs
 * `maxRetriesPerRequest: null` on the connections it blocks on.
 */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername: string };
  maxRetriesPerRequest: null;
}

export function redisOptions(url: string): RedisTarget {
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UserError(`${redactUrl(url)}: the path must be a database number (redis://host:6379/0)`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    db: db ? Number(db) : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * A connection checked with PING before anything else: an unreachable Redis at start is a usage
 * error (exit 2) after at most `timeoutMs`, not a run that hangs while ioredis reconnects.
 * Later, the client reconnects forever; `enableOfflineQueue: false` makes its commands fail at
 * once while it is down, so a health check can notice.
 */
export async function connectChecked(url: string, timeoutMs: number): Promise<Redis> {
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, connectTimeout: timeoutMs, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(200 * n, 1000) });
  // ioredis reports why a connection failed (ECONNREFUSED, a TLS error) as an event, not as the rejection
  let lastError: string | undefined;
  client.on('error', (err: Error) => (lastError = err.message));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    client.disconnect();
    throw new UserError(`cannot reach Redis at ${redactUrl(url)}: ${lastError ?? ((err as Error).message || String(err))}`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}
