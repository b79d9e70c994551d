/**
 * Issue 14: the bullmq executor's speed-up and per-job cost, on a toy DAG (no market data).
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/distributed.js                  # 200 tickers x ~200 ms CPU, then 200 tiny jobs
 *   options: --tickers N, --ms M (CPU per task), --tiny N
 *
 * 1. scaling: a per-ticker node burning ~M ms of CPU per ticker (a SHA-256 chain, deterministic)
 *    and a `sum` over them, run by `dag run --executor bullmq` with one, then two single-threaded
 *    `dag worker` processes (concurrency 1); each run with a fresh Redis and an empty file://
 *    store, wall time of the coordinator's run (its --json durationMs).
 * 2. per-job overhead: N tiny per-ticker tasks (read a number, write it) with one worker of
 *    concurrency 1 (jobs one after another: the latency of a job) and with the coordinator
 *    keeping them all in flight to a worker of concurrency 2 (throughput); the local executor on
 *    the same DAG with --concurrency 1 is the baseline the overhead is measured against.
 * Every run's outputs are checked against the local run's.
 *
 * Each process starts in a session of its own (setsid): Linux shares CPU between sessions
 * (autogroups) before threads, so on a shared machine two workers in one session get no more
 * CPU than one. A session each is what separate machines would give them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DAG_BIN = join(REPO, 'dist/bin/dag.js');
const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const TICKERS = opt('tickers', 200);
const MS = opt('ms', 200);
const TINY = opt('tiny', 200);
const root = mkdtempSync(join(tmpdir(), 'bench-distributed-'));

const DAG = `version: 1
config: { file: settings.yaml }
fanout: tickers
targets: { all: [sum] }
nodes:
  - id: burn
    task: tasks/burn.mjs
    description: CPU-heavy per-ticker work
    per_ticker: true
    inputs: ["raw/{ticker}.txt"]
    outputs: ["out/burn/{ticker}.txt"]
    params: [rounds]
  - id: sum
    task: tasks/sum.mjs
    description: one number over all tickers
    inputs: [{ node: burn }]
    outputs: ["out/sum.txt"]
`;
const BURN = `import { createHash } from 'node:crypto';
export default function (ctx) {
  let h = ctx.readText('raw/' + ctx.requireTicker() + '.txt');
  for (let i = 0; i < ctx.param('rounds'); i++) h = createHash('sha256').update(h).digest('hex');
  ctx.writeBytes('out/burn/' + ctx.ticker + '.txt', h);
}
`;
const SUM = `export default function (ctx) {
  const s = ctx.inputs('burn').reduce((a, r) => a + parseInt(ctx.readText(r.path).slice(0, 8), 16), 0);
  ctx.writeBytes('out/sum.txt', String(s));
}
`;

/** SHA-256 rounds that take about `ms` on this machine (measured here, one thread). */
async function calibrate(ms: number): Promise<number> {
  const { createHash } = await import('node:crypto');
  let h = 'x';
  const t0 = performance.now();
  const n = 200_000;
  for (let i = 0; i < n; i++) h = createHash('sha256').update(h).digest('hex');
  return Math.round((n * ms) / (performance.now() - t0));
}

function project(name: string, tickers: number, rounds: number, redis?: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'tasks'), { recursive: true });
  mkdirSync(join(dir, 'raw'), { recursive: true });
  const names = Array.from({ length: tickers }, (_, i) => `T${String(i).padStart(4, '0')}`);
  const remote = join(dir, '..', `${name}-remote`);
  mkdirSync(remote, { recursive: true });
  writeFileSync(join(dir, 'pipeline.dag.yaml'), DAG);
  writeFileSync(join(dir, 'tasks/burn.mjs'), BURN);
  writeFileSync(join(dir, 'tasks/sum.mjs'), SUM);
  for (const t of names) writeFileSync(join(dir, 'raw', `${t}.txt`), t);
  writeFileSync(join(dir, 'settings.yaml'), `tickers: [${names.join(', ')}]\nrounds: ${rounds}\ncache:\n  remote: file://${remote}\n${redis ? `executor:\n  kind: bullmq\n  redis: ${redis}\n` : ''}`);
  return dir;
}

/** A worker's own checkout: the project's files without its outputs. */
function checkout(dir: string, name: string): string {
  const to = `${dir}-${name}`;
  mkdirSync(join(to, 'tasks'), { recursive: true });
  for (const f of ['pipeline.dag.yaml', 'settings.yaml']) writeFileSync(join(to, f), readFileSync(join(dir, f)));
  for (const f of readdirSync(join(dir, 'tasks'))) writeFileSync(join(to, 'tasks', f), readFileSync(join(dir, 'tasks', f)));
  return to;
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function redisServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 200; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return { url: `redis://127.0.0.1:${port}/0`, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

function worker(dir: string, name: string, concurrency: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [DAG_BIN, 'worker', '--name', name, '--concurrency', String(concurrency)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  return new Promise((res, rej) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes(`dag worker ${name}: queue`)) res(child);
    });
    child.once('exit', (code) => rej(new Error(`worker exited ${code}: ${err}`)));
  });
}

function run(dir: string, extra: string[]): Promise<{ ms: number; executed: number }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [DAG_BIN, 'run', 'all', '--json', ...extra], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return rej(new Error(`dag run in ${dir} exited ${code}:\n${err.slice(-2000)}`));
      const s = JSON.parse(out) as { durationMs: number; executed: number };
      res({ ms: s.durationMs, executed: s.executed });
    });
  });
}

const outputs = (dir: string) => readdirSync(join(dir, 'out/burn')).sort().map((f) => readFileSync(join(dir, 'out/burn', f), 'utf8')).join('\n') + readFileSync(join(dir, 'out/sum.txt'), 'utf8');

async function distributed(name: string, tickers: number, rounds: number, workers: number, concurrency: number, expected: string): Promise<number> {
  const redis = await redisServer();
  const dir = project(name, tickers, rounds, redis.url);
  const procs: ChildProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) procs.push(await worker(checkout(dir, `w${i}`), `w${i}`, concurrency));
    const r = await run(dir, []);
    if (outputs(dir) !== expected) throw new Error(`${name}: outputs differ from the local run's`);
    return r.ms;
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    redis.child.kill('SIGTERM');
  }
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const rounds = await calibrate(MS);
console.log(`${cpus().length} cores, load average ${load()}; ${rounds} SHA-256 rounds ~ ${MS} ms per task`);

const local = project('scale-local', TICKERS, rounds);
const l1 = await run(local, ['--executor', 'local', '--concurrency', '1']);
const expected = outputs(local);
console.log(`scaling, ${TICKERS} tickers: local executor, 1 thread: ${(l1.ms / 1000).toFixed(1)} s (${(l1.ms / l1.executed).toFixed(0)} ms per instance)`);
const one = await distributed('scale-1', TICKERS, rounds, 1, 1, expected);
console.log(`scaling: bullmq, 1 worker x 1: ${(one / 1000).toFixed(1)} s; load average ${load()}`);
const two = await distributed('scale-2', TICKERS, rounds, 2, 1, expected);
console.log(`scaling: bullmq, 2 workers x 1: ${(two / 1000).toFixed(1)} s; speed-up ${(one / two).toFixed(2)}x; load average ${load()}`);

const tinyLocal = project('tiny-local', TINY, 1);
const t0 = await run(tinyLocal, ['--executor', 'local', '--concurrency', '1']);
const tinyExpected = outputs(tinyLocal);
const serial = await distributed('tiny-serial', TINY, 1, 1, 1, tinyExpected);
const flight = await distributed('tiny-flight', TINY, 1, 1, 2, tinyExpected);
const n = TINY + 1;
console.log(`per-job, ${n} tiny instances: local executor x1 ${t0.ms} ms (${(t0.ms / n).toFixed(1)} ms each)`);
console.log(`  bullmq, 1 worker x 1 (one job at a time): ${serial} ms, ${(serial / n).toFixed(1)} ms per job, overhead ${((serial - t0.ms) / n).toFixed(1)} ms per job`);
console.log(`  bullmq, 1 worker x 2 (all in flight): ${flight} ms, ${(flight / n).toFixed(1)} ms per job, overhead ${((flight - t0.ms) / n).toFixed(1)} ms per job; load average ${load()}`);
rmSync(root, { recursive: true, force: true });
