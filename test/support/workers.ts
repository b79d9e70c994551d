import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAG_BIN } from './cli.js';

/** A `dag worker` child process and what it has logged so far. */
export interface WorkerProcess {
  name: string;
  /** Its checkout (and work folder). */
  cwd: string;
  child: ChildProcess;
  log: () => string;
  /** Resolves once it logged a line matching `re`. */
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

/** Start `dag worker` in `cwd` with extra args; resolves when it is listening on its queue. */
export async function startWorker(cwd: string, name: string, args: string[] = [], env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [DAG_BIN, 'worker', '--name', name, '--concurrency', '1', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const waitFor = (re: RegExp, timeoutMs = 30_000) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (re.test(out)) {
        listeners.delete(check);
        clearTimeout(timer);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`worker ${name} did not log ${re} within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    listeners.add(check);
    child.once('exit', () => {
      if (!re.test(out)) {
        listeners.delete(check);
        clearTimeout(timer);
        reject(new Error(`worker ${name} exited (${child.exitCode}) before logging ${re}:\n${out}`));
      }
    });
    check();
  });
  await waitFor(new RegExp(`dag worker ${name}: queue`));
  return {
    name,
    cwd,
    child,
    log: () => out,
    waitFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** A copy of a small project folder for a worker: its own checkout, nothing shared on disk. */
export function copyCheckout(dir: string, skip: string[] = ['out', 'artifacts']): string {
  const to = mkdtempSync(join(tmpdir(), 'dag-worker-'));
  for (const name of readdirSync(dir)) if (!skip.includes(name)) cpSync(join(dir, name), join(to, name), { recursive: true });
  return to;
}

/** The `worker` field of each instance the run log says ran, as instance id -> worker. */
export function workersInRunLog(stateDir: string): Map<string, string> {
  const runs = readdirSync(join(stateDir, 'runs')).sort();
  const text = readFileSync(join(stateDir, 'runs', runs[runs.length - 1]), 'utf8');
  const out = new Map<string, string>();
  for (const line of text.trim().split('\n')) {
    const e = JSON.parse(line) as { event?: string; instance?: string; worker?: string };
    if (e.event === 'end' && e.instance && e.worker) out.set(e.instance, e.worker);
  }
  return out;
}

/** Resolves once `test` is true (checked every 50 ms), or fails after `timeoutMs`. */
export async function until(what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether a worker is running a job whose scratch folder holds this input (it is running that instance now). */
export function holdsInput(w: WorkerProcess, input: string): boolean {
  const scratch = join(w.cwd, 'artifacts/.dag/worker-scratch', w.name);
  if (!existsSync(scratch)) return false;
  return readdirSync(scratch).some((job) => existsSync(join(scratch, job, 'work', input)));
}
