import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dag } from '../support/cli.js';

/**
 * A toy time-series pipeline: raw/<T>.csv (date,value) -> `smooth` (trailing mean, and a column
 * `leak` that is a centred mean, reading tomorrow's value) -> `total` (sum over tickers).
 * `fwd` (the next value) is declared forward-looking, as the ML labels are.
 */
const DAG = (leak: boolean) => `version: 1
config: { file: settings.yaml }
fanout: tickers
targets: { all: [total] }
nodes:
  - id: smooth
    task: tasks/smooth.mjs
    description: trailing mean${leak ? ' and a centred one' : ''}
    per_ticker: true
    inputs: ["raw/{ticker}.csv"]
    outputs: ["out/smooth/{ticker}.parquet"]
    params: [window]
    forward_looking: [fwd*]
  - id: total
    task: tasks/total.mjs
    description: sum of trailing means over tickers
    inputs: [{ node: smooth }]
    outputs: ["out/total.parquet"]
`;

const SMOOTH = (leak: boolean) => `export default async function (ctx) {
  const t = ctx.requireTicker();
  const lines = ctx.readText('raw/' + t + '.csv').trim().split('\\n').slice(1);
  const date = lines.map((l) => l.split(',')[0]);
  const v = Float64Array.from(lines, (l) => Number(l.split(',')[1]));
  const w = ctx.param('window');
  const n = v.length;
  const trail = new Float64Array(n).fill(NaN);
  const leak = new Float64Array(n).fill(NaN);
  const fwd = new Float64Array(n).fill(NaN);
  for (let i = w - 1; i < n; i++) { let s = 0; for (let j = i - w + 1; j <= i; j++) s += v[j]; trail[i] = s / w; }
  for (let i = 1; i + 1 < n; i++) leak[i] = (v[i - 1] + v[i] + v[i + 1]) / 3;
  for (let i = 0; i + 1 < n; i++) fwd[i] = v[i + 1];
  const columns = { date, trail, fwd_next: fwd${leak ? ', leak' : ''} };
  const schema = [{ name: 'date', kind: 'date' }, { name: 'trail', kind: 'double' }, { name: 'fwd_next', kind: 'double' }${leak ? ", { name: 'leak', kind: 'double' }" : ''}];
  await ctx.writeTable('out/smooth/' + t + '.parquet', { length: n, columns }, schema);
}
`;

const TOTAL = `export default async function (ctx) {
  const tables = await Promise.all(ctx.inputs('smooth').map((r) => ctx.readTable(r.path)));
  const date = tables[0].columns.date;
  const sum = new Float64Array(date.length);
  for (const t of tables) t.columns.trail.forEach((x, i) => (sum[i] += x));
  await ctx.writeTable('out/total.parquet', { length: date.length, columns: { date, sum } }, [{ name: 'date', kind: 'date' }, { name: 'sum', kind: 'double' }]);
}
`;

function toy(leak: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'dag-repro-'));
  mkdirSync(join(dir, 'tasks'));
  mkdirSync(join(dir, 'raw'));
  writeFileSync(join(dir, 'pipeline.dag.yaml'), DAG(leak));
  writeFileSync(join(dir, 'settings.yaml'), 'tickers: [A, B]\nwindow: 3\n');
  writeFileSync(join(dir, 'tasks/smooth.mjs'), SMOOTH(leak));
  writeFileSync(join(dir, 'tasks/total.mjs'), TOTAL);
  for (const [t, base] of [['A', 100], ['B', 50]] as const) {
    const rows = ['date,value'];
    for (let i = 0; i < 60; i++) {
      const d = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
      rows.push(`${d},${(base + Math.sin(i) * 5 + i).toFixed(4)}`);
    }
    writeFileSync(join(dir, `raw/${t}.csv`), rows.join('\n') + '\n');
  }
  return dir;
}

describe('dag audit lookahead', () => {
  test('catches a planted centred window, naming node, ticker, column and the cutoff date; declared forward-looking columns are exempt', () => {
    const dir = toy(true);
    const r = dag(dir, ['audit', 'lookahead', '--target', 'all', '--cutoff', '2024-01-20', '--json']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    const cols = result.violations.map((v: { node: string; ticker: string; column: string; date: string }) => `${v.node}[${v.ticker}].${v.column}@${v.date}`).sort();
    // the centred mean at the cutoff reads the first perturbed value; nothing else moves
    expect(cols).toEqual(['smooth[A].leak@2024-01-20', 'smooth[B].leak@2024-01-20']);
    const text = dag(dir, ['audit', 'lookahead', '--target', 'all', '--cutoff', '2024-01-20']);
    expect(text.stdout).toMatch(/LOOK-AHEAD smooth\[A\] column 'leak': changes on 2024-01-20/);
    // the user's own artifacts are never written by the audit
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('passes an honest pipeline (exit 0) at several default cutoffs', () => {
    const dir = toy(false);
    const r = dag(dir, ['audit', 'lookahead', '--target', 'all', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(true);
    expect(result.cutoffs).toHaveLength(3);
    expect(result.checkedFiles).toBe(3 * 3);
  });

  test('without --target it checks the DAG file\'s default_target, and without one asks for a target', () => {
    const dir = toy(false);
    const none = dag(dir, ['audit', 'lookahead', '--cutoff', '2024-01-20']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`audit lookahead: name the target with --target (${join(dir, 'pipeline.dag.yaml')} declares no default_target)`);
    writeFileSync(join(dir, 'pipeline.dag.yaml'), DAG(false).replace('targets:', 'default_target: all\ntargets:'));
    const r = dag(dir, ['audit', 'lookahead', '--cutoff', '2024-01-20', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'all', ok: true, checkedFiles: 3 });
    writeFileSync(join(dir, 'pipeline.dag.yaml'), DAG(false).replace('targets:', 'default_target: everything\ntargets:'));
    const bad = dag(dir, ['status']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("default_target: 'everything' is neither a target nor a node");
  });
});

describe('dag.lock and dag verify', () => {
  test('verify passes against a fresh lock, and names node, ticker, path, column and date when a rebuild differs', () => {
    const dir = toy(false);
    expect(dag(dir, ['run', 'all', '--update-lock']).code).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, 'dag.lock'), 'utf8'));
    expect(Object.keys(lock.instances)).toEqual(['smooth[A]', 'smooth[B]', 'total']);
    expect(lock.instances['smooth[A]'].outputs['out/smooth/A.parquet']).toMatch(/^[0-9a-f]{64}$/);
    const ok = dag(dir, ['verify', 'all', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checked: 3, differences: [] });
    // without a target, the one the lock was written for
    expect(JSON.parse(dag(dir, ['verify', '--json']).stdout)).toMatchObject({ target: 'all', ok: true, checked: 3 });

    // the code changes after the lock was written: the trailing mean of B's rows from day 30 on
    const src = readFileSync(join(dir, 'tasks/smooth.mjs'), 'utf8').replace("trail[i] = s / w; }", "trail[i] = s / w + (t === 'B' && i >= 30 ? 1 : 0); }");
    writeFileSync(join(dir, 'tasks/smooth.mjs'), src);
    const bad = dag(dir, ['verify', 'all']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/DIFFERS smooth\[B\] out\/smooth\/B.parquet/);
    expect(bad.stdout).toMatch(/first difference in column 'trail' on 2024-01-31/);
    expect(bad.stdout).toMatch(/DIFFERS total out\/total.parquet/);
    expect(bad.stdout).not.toMatch(/smooth\[A\] out/);
    // verify never touched the user's artifacts: they still match the lock
    expect(dag(dir, ['status', '--json']).stdout).toContain('code changed: tasks/smooth.mjs');
  });
});
