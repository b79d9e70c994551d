import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { getCookie, setCookie } from 'hono/cookie';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProjectOptions } from '../dag/project.js';
import { loadDagFile } from '../dag/spec.js';
import { UserError } from '../dag/errors.js';
import { loopbackHostHeader, tokenMatches } from './access.js';
import { resolveServed } from './safePath.js';
import { RunIndex } from './runIndex.js';
import { ChangeWatcher } from './changeWatcher.js';
import { ProjectSource, takeSnapshot } from './snapshot.js';
import { AssessmentCache } from './assessmentCache.js';
import { graphView } from './graphState.js';
import { nodeDetail } from './nodeDetail.js';
import { listReports } from './reports.js';

export interface UiAppOptions {
  project: ProjectOptions;
  /** Required on every request when set (the server is bound to a non-loopback address). */
  token: string | null;
  /** Bound to loopback: requests must name this machine in their Host header. */
  loopback: boolean;
}

const TOKEN_COOKIE = 'dag_ui_token';
const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const ECHARTS = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8' };

function contentType(file: string): string {
  const dot = file.lastIndexOf('.');
  return TYPES[file.slice(dot)] ?? 'application/octet-stream';
}

function sendFile(c: Context, file: string, extra: Record<string, string> = {}): Response {
  return c.body(readFileSync(file), 200, { 'content-type': contentType(file), 'x-content-type-options': 'nosniff', ...extra });
}

/** The raw path of the request, percent-encoding kept (route params come decoded). */
function rawPath(c: Context): string {
  return new URL(c.req.url).pathname;
}

/**
 * The UI's HTTP app: one page, a read-only JSON API over the project's state and run logs,
 * server-sent events while runs go, and the artifacts folder's files (reports).
 */
export function createUiApp(opts: UiAppOptions): { app: Hono; watcher: ChangeWatcher; cache: AssessmentCache; warm: () => Promise<void> } {
  const dag = loadDagFile(opts.project.dagFile);
  // the same folders openProject resolves
  const stateDir = resolve(opts.project.workdir ?? dag.root, dag.spec.state_dir);
  // the artifacts folder is the one holding the runner's state folder (artifacts/.dag by default)
  const artifactsDir = dirname(stateDir);
  const index = new RunIndex(stateDir);
  const configFile = resolve(opts.project.configFile ?? resolve(dag.root, dag.spec.config.file));
  const watcher = new ChangeWatcher(index.dir, [
    { path: opts.project.dagFile, event: 'project' },
    { path: configFile, event: 'project' },
    { path: join(stateDir, 'records.json'), event: 'project' },
    { path: join(stateDir, 'lock'), event: 'runs' },
  ]);
  const cache = new AssessmentCache(new ProjectSource(opts.project), () => watcher.notify({ type: 'project' }));
  let gzipped: Uint8Array<ArrayBuffer> | null = null;
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof UserError) return c.json({ error: err.message }, 422);
    return c.json({ error: `internal error: ${err.message}` }, 500);
  });

  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return c.json({ error: 'read-only: only GET is served' }, 405, { allow: 'GET, HEAD' });
    if (opts.loopback && !loopbackHostHeader(c.req.header('host'))) return c.json({ error: 'Host header must name 127.0.0.1 or localhost' }, 421);
    if (opts.token) {
      const query = c.req.query('token');
      if (!tokenMatches(opts.token, query ?? c.req.header('x-dag-token') ?? getCookie(c, TOKEN_COOKIE))) {
        return c.json({ error: 'access token required: open the URL with ?token=... that `dag ui` printed' }, 401);
      }
      // the page's scripts, its event stream and report links then carry the token by themselves
      if (query) setCookie(c, TOKEN_COOKIE, query, { httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    await next();
  });

  app.get('/', (c) => sendFile(c, join(PAGE_DIR, 'index.html'), { 'cache-control': 'no-store' }));
  app.get('/page/*', (c) => {
    const served = resolveServed(PAGE_DIR, rawPath(c).slice('/page/'.length));
    return served.ok ? sendFile(c, served.file) : c.json({ error: served.reason }, served.status);
  });
  app.get('/vendor/echarts.min.js', (c) => {
    // compressed once per server, not per request (1.1 MB of script; ~0.4 MB gzipped)
    gzipped ??= new Uint8Array(gzipSync(readFileSync(ECHARTS)));
    const headers = { 'content-type': TYPES['.js'], 'cache-control': 'max-age=86400', vary: 'accept-encoding' };
    if (!/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) return c.body(readFileSync(ECHARTS), 200, headers);
    return c.body(gzipped, 200, { ...headers, 'content-encoding': 'gzip' });
  });

  // ?node=ID adds that node's detail from the same snapshot (one assessment for both)
  app.get('/api/state', async (c) => {
    const s = await takeSnapshot(cache, index);
    const node = c.req.query('node');
    return c.json({ graph: graphView(s.project, s.views), live: s.live?.info ?? null, ...(node ? { node: nodeDetail(s.project, node, s.views, s.overlay) } : {}) });
  });
  app.get('/api/nodes/:id', async (c) => {
    const s = await takeSnapshot(cache, index);
    return c.json(nodeDetail(s.project, c.req.param('id'), s.views, s.overlay));
  });
  app.get('/api/runs', (c) => c.json({ runs: index.runs().map((r) => r.info) }));
  // `latest`: the newest run, or null when none is logged yet
  app.get('/api/runs/:id', (c) => {
    if (c.req.param('id') === 'latest') {
      const run = index.runs()[0];
      return c.json(run ? { run: run.info, bars: run.bars, badLines: run.badLines } : { run: null, bars: [], badLines: [] });
    }
    const run = index.run(c.req.param('id'));
    if (!run) return c.json({ error: `no run '${c.req.param('id')}' in ${index.dir}` }, 404);
    return c.json({ run: run.info, bars: run.bars, badLines: run.badLines });
  });
  app.get('/api/reports', (c) => c.json({ reports: listReports(artifactsDir) }));
  app.get('/api/events', (c) => streamSSE(c, async (stream) => {
    const off = watcher.subscribe((e) => {
      // a failed write means the page has gone; onAbort below unsubscribes
      stream.writeSSE({ event: e.type, data: JSON.stringify(e) }).catch(() => undefined);
    });
    await stream.writeSSE({ event: 'hello', data: '{}' });
    await new Promise<void>((resolve) => {
      // a comment line now and then keeps proxies and the browser from closing an idle stream
      const keepAlive = setInterval(() => stream.write(': keep-alive\n\n').catch(() => undefined), 15000);
      keepAlive.unref();
      stream.onAbort(() => {
        clearInterval(keepAlive);
        off();
        resolve();
      });
    });
  }));
  app.get('/artifacts/*', (c) => {
    const served = resolveServed(artifactsDir, rawPath(c).slice('/artifacts/'.length));
    return served.ok ? sendFile(c, served.file, { 'cache-control': 'no-store' }) : c.json({ error: served.reason }, served.status);
  });
  app.notFound((c) => c.json({ error: `not found: ${rawPath(c)}` }, 404));
  return { app, watcher, cache, warm: () => takeSnapshot(cache, index).then(() => undefined) };
}
