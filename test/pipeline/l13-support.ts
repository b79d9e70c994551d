/**
 * Helpers of the layers 1-3 pipeline tests: an independent parquet reader (DuckDB), an independent
 * raw CSV reader, and brute-force reference implementations of the features and signals, written
 * from the formulas in docs/pipeline.md without sharing any code with lib/market.
 */
import { readFileSync } from 'node:fs';
import { readPq } from '../support/duckdb.js';
import { mulberry32 } from '../support/random.js';

export { mulberry32 };

/** A parquet file read by DuckDB: dates as ISO strings, doubles as numbers, SQL NULL as null. */
export interface Read {
  date: string[];
  cols: Record<string, (number | null)[]>;
  names: string[];
}

export async function readParquet(file: string): Promise<Read> {
  const pq = await readPq(file);
  const cols: Record<string, (number | null)[]> = {};
  for (const n of pq.names) if (n !== 'date' && n !== 'ticker') cols[n] = pq.col[n] ?? (pq.str[n] as unknown as (number | null)[]);
  return { date: pq.str.date, cols, names: pq.names };
}

export interface RawCsv {
  header: string[];
  date: string[];
  /** Columns by lower-cased, space-free header name: open, high, low, close, adjclose, volume. */
  col: Record<string, number[]>;
}

/** A raw daily CSV read naively (comma split, header names lower-cased without spaces). */
export function readRawCsv(file: string): RawCsv {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase().replace(/[\s_]/g, ''));
  const out: RawCsv = { header, date: [], col: {} };
  for (const h of header) if (h !== 'date') out.col[h] = [];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    header.forEach((h, i) => (h === 'date' ? out.date.push(f[i]!) : out.col[h]!.push(Number(f[i]))));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Brute-force references: every value recomputed from its own window with plain loops.

/**
 * Mean and sample standard deviation of the n values ending at t (two passes over the window), or
 * null when t is in the warm-up or a value in the window is missing.
 */
function win(x: (number | null)[], t: number, n: number): { mean: number; std: number } | null {
  if (t - n + 1 < 0) return null;
  let s = 0;
  for (let i = t - n + 1; i <= t; i++) {
    const v = x[i];
    if (v === null || v === undefined || !Number.isFinite(v)) return null;
    s += v;
  }
  const mean = s / n;
  let q = 0;
  for (let i = t - n + 1; i <= t; i++) q += (x[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(q / (n - 1)) };
}

export interface FeatureConfig {
  sma: number[];
  returns: number[];
  realized_vol: number[];
  volume_z: number;
  rs: number[];
}

/**
 * Expected feature columns for one ticker (null = missing), from its adjusted close and volume and
 * the benchmark's dates and closes: the definitions of the issue and docs/pipeline.md.
 */
export function bruteFeatures(
  date: string[],
  close: number[],
  volume: number[],
  benchDate: string[],
  benchClose: number[],
  f: FeatureConfig,
): Record<string, (number | null)[]> {
  const n = close.length;
  const out: Record<string, (number | null)[]> = {};
  const col = (fn: (t: number) => number | null) => Array.from({ length: n }, (_, t) => fn(t));
  const logRet = col((t) => (t >= 1 ? Math.log(close[t]! / close[t - 1]!) : null));
  out.log_ret_1 = logRet;
  for (const k of new Set([1, ...f.returns])) out[`ret_${k}`] = col((t) => (t >= k ? close[t]! / close[t - k]! - 1 : null));
  for (const k of f.sma) {
    const w = Array.from({ length: n }, (_, t) => win(close, t, k));
    out[`sma_${k}`] = w.map((s) => (s ? s.mean : null));
    out[`close_sma_${k}`] = w.map((s, t) => (s ? close[t]! / s.mean - 1 : null));
    out[`close_z_${k}`] = w.map((s, t) => (s && s.std > 0 ? (close[t]! - s.mean) / s.std : null));
  }
  for (const k of f.realized_vol) out[`rv_${k}`] = col((t) => { const s = win(logRet, t, k); return s ? s.std * Math.sqrt(252) : null; });
  out[`volume_z_${f.volume_z}`] = col((t) => {
    const s = win(volume, t, f.volume_z);
    return s && s.std > 0 ? (volume[t]! - s.mean) / s.std : null;
  });
  const dv = col((t) => close[t]! * volume[t]!);
  out.dollar_volume = dv;
  out.log_dollar_volume_20 = col((t) => { const s = win(dv, t, 20); return s && s.mean > 0 ? Math.log(s.mean) : null; });
  const benchAt = new Map(benchDate.map((d, i) => [d, benchClose[i]!]));
  for (const k of f.rs) {
    out[`rs_${k}`] = col((t) => {
      if (t < k) return null;
      const b1 = benchAt.get(date[t]!);
      const b0 = benchAt.get(date[t - k]!);
      if (b1 === undefined || b0 === undefined) return null;
      return close[t]! / close[t - k]! - 1 - (b1 / b0 - 1);
    });
  }
  return out;
}

/**
 * Expected labels: r = close[t+h]/close[t] - 1 against band = threshold * sqrt(h) * (sample std of the
 * vol_window log returns ending at t): 2 up, 0 down, 1 flat. `edge` lists rows where r is within
 * 1e-9 of a band edge (rounding may legitimately decide those).
 */
export function bruteLabels(close: number[], h: number, volWindow: number, threshold: number): { label: (number | null)[]; edge: Set<number> } {
  const n = close.length;
  const logRet = Array.from({ length: n }, (_, t) => (t >= 1 ? Math.log(close[t]! / close[t - 1]!) : null));
  const label: (number | null)[] = new Array(n).fill(null);
  const edge = new Set<number>();
  for (let t = 0; t + h < n; t++) {
    const w = win(logRet, t, volWindow);
    if (!w) continue;
    const band = threshold * Math.sqrt(h) * w.std;
    const r = close[t + h]! / close[t]! - 1;
    label[t] = r > band ? 2 : r < -band ? 0 : 1;
    if (Math.abs(Math.abs(r) - band) < 1e-9) edge.add(t);
  }
  return { label, edge };
}

export interface SignalConfig {
  trend: { windows: number[]; vol_window: number; scale: number };
  mean_reversion: { window: number; scale: number };
  vol: { short_window: number; long_window: number; scale: number };
  rel_strength: { window: number; vol_window: number; scale: number };
}

/** Expected signals from the feature columns, by the formulas documented in docs/pipeline.md. */
export function bruteSignals(fx: Record<string, (number | null)[]>, s: SignalConfig): Record<string, (number | null)[]> {
  const n = fx.log_ret_1!.length;
  const col = (fn: (t: number) => number | null) => Array.from({ length: n }, (_, t) => fn(t));
  const ok = (...xs: (number | null | undefined)[]): boolean => xs.every((x) => x !== null && x !== undefined && Number.isFinite(x));
  const daily = (rv: number | null) => (rv === null ? null : rv / Math.sqrt(252));
  return {
    trend_alpha: col((t) => {
      const d = daily(fx[`rv_${s.trend.vol_window}`]![t]!);
      const cs = s.trend.windows.map((w) => fx[`close_sma_${w}`]![t]!);
      if (!ok(d, ...cs) || !(d! > 0)) return null;
      const z = s.trend.windows.reduce((a, w, i) => a + cs[i]! / (d! * Math.sqrt(w)), 0) / s.trend.windows.length;
      return Math.tanh(z / s.trend.scale);
    }),
    mean_reversion_alpha: col((t) => {
      const z = fx[`close_z_${s.mean_reversion.window}`]![t]!;
      return ok(z) ? -Math.tanh(z / s.mean_reversion.scale) : null;
    }),
    vol_alpha: col((t) => {
      const a = fx[`rv_${s.vol.short_window}`]![t]!;
      const b = fx[`rv_${s.vol.long_window}`]![t]!;
      return ok(a, b) && a > 0 && b > 0 ? Math.tanh(Math.log(b / a) / s.vol.scale) : null;
    }),
    rel_strength_alpha: col((t) => {
      const rs = fx[`rs_${s.rel_strength.window}`]![t]!;
      const d = daily(fx[`rv_${s.rel_strength.vol_window}`]![t]!);
      return ok(rs, d) && d! > 0 ? Math.tanh(rs / (d! * Math.sqrt(s.rel_strength.window)) / s.rel_strength.scale) : null;
    }),
  };
}

/**
 * Mismatches between an actual and an expected column: null must match null (warm-up rows are
 * missing, never 0 or a partial-window value), numbers must agree to |a - e| <= tol * max(1, |e|).
 */
export function mismatches(name: string, date: string[], actual: (number | null)[], expected: (number | null)[], tol = 1e-9): string[] {
  const bad: string[] = [];
  if (actual.length !== expected.length) return [`${name}: ${actual.length} rows, expected ${expected.length}`];
  for (let t = 0; t < actual.length; t++) {
    const a = actual[t] ?? null;
    const e = expected[t] ?? null;
    const good = a === null || e === null ? a === e : Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    if (!good && bad.length < 5) bad.push(`${name} @ ${date[t]} (row ${t}): got ${a}, expected ${e}`);
  }
  return bad;
}

