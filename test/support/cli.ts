import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const DAG_BIN = resolve(process.cwd(), 'dist/bin/dag.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the compiled CLI as a user would (tests run after `npm run build`). */
export function dag(cwd: string, args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [DAG_BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function dagAsync(cwd: string, args: string[]) {
  return spawn(process.execPath, [DAG_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runJson(cwd: string, args: string[]): { executed: number; skipped: number; failed: number; instances: { node: string; ticker: string | null; item?: string; action: string; reasons: string[] }[] } {
  const r = dag(cwd, [...args, '--json']);
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

export function ran(summary: ReturnType<typeof runJson>): string[] {
  return summary.instances.filter((i) => i.action === 'ran').map((i) => (i.ticker ?? i.item ? `${i.node}[${i.ticker ?? i.item}]` : i.node)).sort();
}
