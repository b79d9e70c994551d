import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { ProjectOptions } from '../dag/project.js';
import { UserError } from '../dag/errors.js';
import { isLoopback, newToken } from './access.js';
import { createUiApp } from './server.js';

export interface UiServerOptions {
  project: ProjectOptions;
  port: number;
  host: string;
}

export interface UiServer {
  /** The page's address (with the token, when one is required). */
  url: string;
  token: string | null;
  port: number;
  close(): Promise<void>;
}

/** Start the UI server; a host other than loopback gets a fresh access token. */
export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const token = isLoopback(opts.host) ? null : newToken();
  const { app, watcher, cache, warm } = createUiApp({ project: opts.project, token, loopback: isLoopback(opts.host) });
  const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new UserError(`dag ui: cannot listen on ${opts.host}:${opts.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use (choose another with --port)' : err.code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : err.message}`));
    });
  });
  const port = (server.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => {
    watcher.stop();
    cache.stop();
    // open event streams would keep the server alive
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => resolve());
  });
  // hash what the memo does not know yet now, not during the first page load; a project that
  // does not load (an invalid settings file) stops the start with its message
  try {
    await warm();
  } catch (err) {
    await close();
    throw err;
  }
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shown}:${port}/${token ? `?token=${token}` : ''}`,
    token,
    port,
    close,
  };
}
