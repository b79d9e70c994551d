/**
 * Shared by the backtest benchmarks: a work folder with the synthetic N-ticker market, one timed
 * `dag` process with its peak memory, and each layer's task time from the run log.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DAG_BIN = join(REPO, 'dist/bin/dag.js');
const TIME = '/usr/bin/time';

/** The shipped settings, or with n tickers (S000.. plus the benchmark SPY) and a backtest window. */
export function benchSettings(n: number | null, start = '2019-01-01', end = '2021-12-31'): Record<string, any> {
  const s = parse(readFileSync(join(REPO, 'config/settings.yaml'), 'utf8')) as Record<string, any>;
  if (n === null) return s;
  s.tickers = [...Array.from({ length: n - 1 }, (_, i) => `S${String(i).padStart(3, '0')}`), 'SPY'];
  s.benchmark = 'SPY';
  s.backtest.start_date = start;
  s.backtest.end_date = end;
  return s;
}

/** A fresh work folder holding config/settings.yaml and config/regimes.yaml. */
export function benchWorkdir(name: string, settings: Record<string, unknown>): string {
  const workdir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  mkdirSync(join(workdir, 'config'));
  writeFileSync(join(workdir, 'config/regimes.yaml'), readFileSync(join(REPO, 'config/regimes.yaml')));
  writeSettings(workdir, settings);
  return workdir;
}

export function writeSettings(workdir: string, settings: Record<string, unknown>): void {
  writeFileSync(join(workdir, 'config/settings.yaml'), stringify(settings));
}

/** Sum of VmRSS (kB) over pid and all its descendants. */
function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(name));
    } catch {
      /* exited */
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      /* exited */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export interface DagRun {
  code: number;
  stdout: string;
  stderr: string;
  wallS: number;
  /** `/usr/bin/time -v`'s maximum resident set size (the dag process and its worker threads), MiB. */
  maxRssMiB: number;
  /** The largest sum of VmRSS over the process tree, sampled every 100 ms, MiB. */
  treeRssMiB: number;
}

/** One `dag <args>` process against the repository's DAG in `workdir`, timed from spawn to exit. */
export async function runDag(workdir: string, args: string[]): Promise<DagRun> {
  const dagArgs = [DAG_BIN, ...args, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', workdir, '--config', join(workdir, 'config/settings.yaml')];
  const useTime = existsSync(TIME);
  const [cmd, cmdArgs] = useTime ? [TIME, ['-v', process.execPath, ...dagArgs]] : [process.execPath, dagArgs];
  const t0 = performance.now();
  const child = spawn(cmd, cmdArgs, { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRssKb(child.pid!))), 100);
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? -1)));
  clearInterval(sampler);
  const wallS = (performance.now() - t0) / 1000;
  const maxKb = useTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN) : NaN;
  return { code, stdout, stderr, wallS, maxRssMiB: maxKb / 1024, treeRssMiB: peak / 1024 };
}

export interface LayerRow {
  node: string;
  instances: number;
  /** Sum of the instances' task times. */
  ms: number;
  share: number;
  /** First start to last end of the node's instances. */
  span: number;
}

/** Per node: instances, summed task time and wall span, from the run logs (artifacts/.dag/runs). */
export function layerTimes(workdir: string, since = 0): { rows: LayerRow[]; totalMs: number } {
  const dir = join(workdir, 'artifacts/.dag/runs');
  const ends: { time: string; instance: string; ms: number }[] = [];
  const starts = new Map<string, number>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as { time: string; instance: string; ms: number; event?: string };
      if (Date.parse(e.time) < since) continue;
      if (e.event === 'start') starts.set(e.instance, Date.parse(e.time));
      if (e.event === 'end') ends.push(e);
    }
  }
  const byNode = new Map<string, { instances: number; ms: number; first: number; last: number }>();
  for (const e of ends) {
    const node = e.instance.replace(/\[.*\]$/, '');
    const end = Date.parse(e.time);
    const start = starts.get(e.instance) ?? end - e.ms;
    const row = byNode.get(node) ?? { instances: 0, ms: 0, first: Infinity, last: -Infinity };
    row.instances++;
    row.ms += e.ms;
    row.first = Math.min(row.first, start);
    row.last = Math.max(row.last, end);
    byNode.set(node, row);
  }
  const totalMs = [...byNode.values()].reduce((a, r) => a + r.ms, 0);
  const rows = [...byNode.entries()].map(([node, r]) => ({ node, instances: r.instances, ms: r.ms, share: r.ms / totalMs, span: r.last - r.first }));
  return { rows, totalMs };
}
