import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, dagAsync } from '../support/cli.js';
import { startUiServer, type UiServer } from '../../lib/ui/serve.js';
import { collectEvents, rawGet } from './http.js';
import { startUiProcess } from './uiPage.js';

const REPORT = '<html><body>toy report</body></html>';

function toyWithRun(): { dir: string; summary: { instances: { node: string; ticker: string | null; action: string }[] } } {
  const dir = makeToyProject();
  const r = dag(dir, ['run', 'all', '--json']);
  expect(r.code).toBe(0);
  mkdirSync(join(dir, 'artifacts/reports'), { recursive: true });
  writeFileSync(join(dir, 'artifacts/reports/toy.html'), REPORT);
  writeFileSync(join(dir, 'secret.txt'), 'top secret');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'artifacts/reports/leak.html'));
  return { dir, summary: JSON.parse(r.stdout) };
}

describe('dag ui on 127.0.0.1 (the default)', () => {
  let dir: string;
  let summary: ReturnType<typeof toyWithRun>['summary'];
  let server: UiServer;
  beforeAll(async () => {
    ({ dir, summary } = toyWithRun());
    server = await startUiServer({ project: { dagFile: join(dir, 'pipeline.dag.yaml') }, port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server?.close());

  test('answers on 127.0.0.1 without a token, and not on another address of this machine', async () => {
    expect(server.token).toBeNull();
    expect((await rawGet('127.0.0.1', server.port, '/api/state')).status).toBe(200);
    // 127.0.0.2 reaches this machine too (the loopback net), but nothing listens there
    await expect(rawGet('127.0.0.2', server.port, '/api/state')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('refuses a request whose Host header names another site (DNS rebinding)', async () => {
    const r = await rawGet('127.0.0.1', server.port, '/api/state', { host: 'evil.example' });
    expect(r.status).toBe(421);
  });

  test('is read-only: anything but GET is refused', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await rawGet('127.0.0.1', server.port, '/api/state', {}, method)).status).toBe(405);
  });

  test('serves a report from the artifacts folder', async () => {
    const r = await rawGet('127.0.0.1', server.port, '/artifacts/reports/toy.html');
    expect(r.status).toBe(200);
    expect(r.body).toBe(REPORT);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const list = JSON.parse((await rawGet('127.0.0.1', server.port, '/api/reports')).body);
    // the symlink out of the folder is not listed (and not served, below)
    expect(list.reports.map((x: { path: string }) => x.path)).toEqual(['reports/toy.html']);
  });

  test.each([
    '/artifacts/../secret.txt', '/artifacts/reports/../../secret.txt', '/artifacts/%2e%2e/secret.txt', '/artifacts/%2E%2E%2Fsecret.txt',
    '/artifacts/..%2fsecret.txt', '/artifacts/reports/..%2f..%2fsecret.txt', '/artifacts/%252e%252e/secret.txt', '/artifacts/..%5csecret.txt',
    '/artifacts/reports/leak.html', '/artifacts/.dag/records.json', '/page/../../../package.json', '/page/%2e%2e/server.ts',
  ])('refuses %s', async (path) => {
    const r = await rawGet('127.0.0.1', server.port, path);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain('top secret');
    expect(r.body).not.toContain('"records"');
    expect(r.body).not.toContain('"name"');
  });

  test('the state: every node with its instances counted by state', async () => {
    const { graph } = JSON.parse((await rawGet('127.0.0.1', server.port, '/api/state')).body);
    expect(graph.nodes.map((n: { id: string; counts: object; state: string }) => [n.id, n.counts, n.state])).toEqual([
      ['double', { fresh: 3 }, 'fresh'], ['total', { fresh: 1 }, 'fresh'], ['bench', { fresh: 1 }, 'fresh'],
    ]);
    expect(graph.edges).toEqual([{ from: 'double', to: 'total' }, { from: 'double', to: 'bench' }]);
    // laid out left to right: both consumers right of their input
    const x = Object.fromEntries(graph.nodes.map((n: { id: string; x: number }) => [n.id, n.x]));
    expect(x.total).toBeGreaterThan(x.double);
    expect(x.bench).toBeGreaterThan(x.double);
  });

  test('the runs: the last run with its target, who started it, counts and instance count', async () => {
    const { runs } = JSON.parse((await rawGet('127.0.0.1', server.port, '/api/runs')).body);
    expect(runs).toHaveLength(1);
    const ran = summary.instances.filter((i) => i.action === 'ran').length;
    expect(runs[0]).toMatchObject({ target: 'all', instances: summary.instances.length, counts: { ran }, status: 'done', user: expect.any(String) });
    expect(ran).toBe(5);
    const detail = JSON.parse((await rawGet('127.0.0.1', server.port, `/api/runs/${runs[0].id}`)).body);
    expect(detail.bars.map((b: { instance: string }) => b.instance).sort()).toEqual(['bench', 'double[A]', 'double[B]', 'double[C]', 'total']);
    for (const b of detail.bars) expect(b.end).toBeGreaterThanOrEqual(b.start);
  });

  test('a node: its instances, params with current values, files with sizes; an edited param makes it stale with that reason', async () => {
    writeFileSync(join(dir, 'settings.yaml'), readFileSync(join(dir, 'settings.yaml'), 'utf8').replace('factor: 2', 'factor: 3'));
    const d = JSON.parse((await rawGet('127.0.0.1', server.port, '/api/nodes/double')).body);
    expect(d.params).toEqual([{ key: 'factor', value: 3 }]);
    expect(d.instances.map((i: { ticker: string; state: string; reasons: string[] }) => [i.ticker, i.state, i.reasons])).toEqual(
      ['A', 'B', 'C'].map((t) => [t, 'stale', ['param changed: factor']]),
    );
    const outBytes = ['A', 'B', 'C'].reduce((a, t) => a + statSync(join(dir, 'out/double', `${t}.txt`)).size, 0);
    expect(d.outputs).toEqual([{ path: 'out/double/*.txt', files: 3, missing: 0, bytes: outBytes }]);
    expect(d.inputs).toEqual([{ path: 'raw/*.txt', files: 3, missing: 0, bytes: 3 }]); // raw values 1, 2, 3: one byte each
    expect(d.lastRun).toMatchObject({ action: 'ran' });
    const missing = JSON.parse((await rawGet('127.0.0.1', server.port, '/api/nodes/nope')).body);
    expect(missing.error).toMatch(/unknown node 'nope'/);
  });

  test('an artifact edited by hand: found by the background check, and open pages are told', async () => {
    const stateOf = async () => JSON.parse((await rawGet('127.0.0.1', server.port, '/api/nodes/bench')).body).instances[0];
    expect((await stateOf()).reasons).not.toContain('output modified outside dag: out/bench.txt');
    const stream = collectEvents('127.0.0.1', server.port, '/api/events', (evs) => evs.some((e) => e.event === 'project'));
    await stream.ready;
    writeFileSync(join(dir, 'out/bench.txt'), '999');
    // nothing announces this change: once the kept assessment is over a second old, a request
    // makes the server check again in the background, and the page hears of the difference
    await new Promise((r) => setTimeout(r, 1100));
    await rawGet('127.0.0.1', server.port, '/api/state');
    await stream.done;
    expect(await stateOf()).toMatchObject({ state: 'stale', reasons: expect.arrayContaining(['output modified outside dag: out/bench.txt']) });
  });

  test('settings made invalid while it runs: the API answers 422 with the file and the problem', async () => {
    const settings = readFileSync(join(dir, 'settings.yaml'), 'utf8');
    try {
      writeFileSync(join(dir, 'settings.yaml'), settings.replace(/^tickers: .*$/m, 'tickers: 7'));
      const r = await rawGet('127.0.0.1', server.port, '/api/state');
      expect(r.status).toBe(422);
      expect(JSON.parse(r.body).error).toContain("config key 'tickers' (the DAG's fan-out list) must be a list of strings");
    } finally {
      writeFileSync(join(dir, 'settings.yaml'), settings);
    }
    expect((await rawGet('127.0.0.1', server.port, '/api/state')).status).toBe(200);
  });
});

describe('dag ui bound to another address', () => {
  let dir: string;
  let server: UiServer;
  beforeAll(async () => {
    ({ dir } = toyWithRun());
    server = await startUiServer({ project: { dagFile: join(dir, 'pipeline.dag.yaml') }, port: 0, host: '127.0.0.2' });
  });
  afterAll(() => server?.close());

  test('requires the token: refused without it or with a wrong one, served with it (query, header, then cookie)', async () => {
    const token = server.token!;
    expect(token).toEqual(expect.any(String));
    expect(server.url).toBe(`http://127.0.0.2:${server.port}/?token=${token}`);
    for (const path of ['/', '/api/state', '/api/runs', '/artifacts/reports/toy.html', '/vendor/echarts.min.js']) {
      expect((await rawGet('127.0.0.2', server.port, path)).status).toBe(401);
    }
    expect((await rawGet('127.0.0.2', server.port, '/api/state?token=wrong')).status).toBe(401);
    const withQuery = await rawGet('127.0.0.2', server.port, `/api/state?token=${token}`);
    expect(withQuery.status).toBe(200);
    expect((await rawGet('127.0.0.2', server.port, '/api/runs', { 'x-dag-token': token })).status).toBe(200);
    const cookie = String(withQuery.headers['set-cookie']).split(';')[0];
    expect((await rawGet('127.0.0.2', server.port, '/artifacts/reports/toy.html', { cookie })).body).toBe(REPORT);
  });
});

describe('dag ui from the command line', () => {
  test('--host other than loopback prints a one-time token the API then requires', async () => {
    const { dir } = toyWithRun();
    const child = dagAsync(dir, ['ui', '--host', '127.0.0.2', '--port', '0']);
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (d) => {
          text += d;
          if (text.includes('read-only')) resolve(text);
        });
        child.on('exit', (code) => reject(new Error(`dag ui exited ${code}`)));
      });
      const url = /dag ui: (http:\/\/127\.0\.0\.2:(\d+)\/\?token=(\S+))/.exec(out)!;
      const token = /access token .*: (\S+)/.exec(out)![1];
      expect(url[3]).toBe(token);
      const port = Number(url[2]);
      expect((await rawGet('127.0.0.2', port, '/api/runs')).status).toBe(401);
      expect((await rawGet('127.0.0.2', port, `/api/runs?token=${token}`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test.each([['SIGINT'], ['SIGTERM']] as const)('%s stops it as its normal end: exit 0, no "interrupted" line', async (signal) => {
    const { dir } = toyWithRun();
    const { child } = await startUiProcess(dir, []);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill(signal);
    });
    expect(code).toBe(0);
    expect(err).not.toContain('received: stopping');
  });

  test('a settings file that does not load stops the start with its message and exit code 2', () => {
    const { dir } = toyWithRun();
    writeFileSync(join(dir, 'settings.yaml'), 'tickers: [A, B\n');
    const r = dag(dir, ['ui', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dag: .*settings\.yaml/);
    expect(r.stdout).toBe('');
  });

  test('a port in use is a clear error with exit code 2', async () => {
    const { dir } = toyWithRun();
    const server = await startUiServer({ project: { dagFile: join(dir, 'pipeline.dag.yaml') }, port: 0, host: '127.0.0.1' });
    try {
      const r = dag(dir, ['ui', '--port', String(server.port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${server.port}: the port is in use`);
    } finally {
      await server.close();
    }
  });
});

describe('live while a run goes', () => {
  test('instances stream as they finish, a failure with its message at once, on worker lanes', async () => {
    const dir = makeToyProject(['A', 'B', 'C'], { 'raw/B.txt': 'sleep:1500', 'raw/C.txt': 'fail' });
    const server = await startUiServer({ project: { dagFile: join(dir, 'pipeline.dag.yaml') }, port: 0, host: '127.0.0.1' });
    try {
      const stream = collectEvents('127.0.0.1', server.port, '/api/events', (evs) => evs.some((e) => e.event === 'entry' && e.data.entry.action === 'ran' && e.data.entry.instance === 'double[B]'));
      await stream.ready;
      const child = dagAsync(dir, ['run', 'all', '--keep-going', '--concurrency', '2']);
      let exitedAt = 0;
      const exited = new Promise<void>((r) => child.on('exit', () => {
        exitedAt = Date.now();
        r();
      }));
      const events = await stream.done;
      const entries = events.filter((e) => e.event === 'entry').map((e) => e.data.entry);
      const fail = entries.find((e) => e.action === 'failed')!;
      expect(fail).toMatchObject({ instance: 'double[C]', error: expect.stringContaining('cannot double C: raw value is "fail"') });
      // the failure came before B (sleeping 1.5 s) finished: it was not held back to the run's end
      expect(entries.indexOf(fail)).toBeLessThan(entries.findIndex((e) => e.instance === 'double[B]' && e.action === 'ran'));
      expect(entries.some((e) => e.event === 'run-start' && e.target === 'all')).toBe(true);
      await exited;
      // ... and while the run was still going
      expect(events.find((e) => e.event === 'entry' && e.data.entry.action === 'failed')!.at).toBeLessThan(exitedAt);
      const { runs } = JSON.parse((await rawGet('127.0.0.1', server.port, '/api/runs')).body);
      expect(runs[0]).toMatchObject({ status: 'failed', failures: [{ instance: 'double[C]', error: expect.stringContaining('cannot double C') }] });
      const { bars } = JSON.parse((await rawGet('127.0.0.1', server.port, `/api/runs/${runs[0].id}`)).body);
      // two workers: within a lane, bars never overlap
      const lanes = new Map<string, { start: number; end: number }[]>();
      for (const b of bars) lanes.set(b.lane, [...(lanes.get(b.lane) ?? []), b]);
      expect([...lanes.keys()].sort()).toEqual(expect.arrayContaining(['0', '1']));
      for (const list of lanes.values()) {
        list.sort((a, b) => a.start - b.start);
        for (let i = 1; i < list.length; i++) expect(list[i].start).toBeGreaterThanOrEqual(list[i - 1].end);
      }
    } finally {
      await server.close();
    }
  });
});
