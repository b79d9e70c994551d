/**
 * Helpers of the layers 7-9 pipeline tests: an independent parquet reader (DuckDB) and reference
 * computations of the meta-model, the sizing rules and the backtest's accounting written from
 * docs/metrics.md with plain loops, sharing no code with lib/market.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { duck, readPq, type Pq } from '../support/duckdb.js';

export { readPq, type Pq };
import { parse } from 'yaml';
import { REPO } from '../support/pipeline.js';


/** One SQL query's rows (for aggregate checks). */
export async function sql(query: string): Promise<Record<string, unknown>[]> {
  return (await (await duck()).runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[];
}

export const art = (dir: string, rel: string) => join(dir, 'artifacts', rel);

/** Map date -> value of a column (null kept). */
export function byDate(p: Pq, name: string): Map<string, number | null> {
  const m = new Map<string, number | null>();
  p.str.date.forEach((d, i) => m.set(d, p.col[name][i]));
  return m;
}

export const COMPONENTS = ['trend_alpha', 'mean_reversion_alpha', 'vol_alpha', 'rel_strength_alpha', 'ml_score'];

/** config/regimes.yaml parsed with the yaml package (no zod, no project code). */
export function regimeTable(dir: string): Record<string, Record<string, number>> {
  return (parse(readFileSync(join(dir, 'config/regimes.yaml'), 'utf8')) as { regimes: Record<string, Record<string, number>> }).regimes;
}

/**
 * The meta-model from its definition: w_c = sum_r p_r W[r][c]; contrib_c = w_c x_c (a missing
 * component counts 0); s = sum_c contrib_c; when |s| > 1 every contribution is divided by |s|.
 * A missing regime probability gives null everywhere. `argmaxOnly` uses the most likely regime's row
 * instead (the alternative the spec rules out), to show the check can tell the two apart.
 */
export function referenceAlpha(
  x: Record<string, number | null>,
  p: Record<string, number | null>,
  W: Record<string, Record<string, number>>,
  argmaxOnly = false,
): { alpha: number | null; contrib: Record<string, number | null> } {
  const regimes = Object.keys(W);
  if (regimes.some((r) => p[r] === null || p[r] === undefined)) {
    return { alpha: null, contrib: Object.fromEntries(COMPONENTS.map((c) => [c, null])) };
  }
  let probs = Object.fromEntries(regimes.map((r) => [r, p[r] as number]));
  if (argmaxOnly) {
    const best = regimes.reduce((a, b) => (probs[b] > probs[a] ? b : a));
    probs = Object.fromEntries(regimes.map((r) => [r, r === best ? 1 : 0]));
  }
  const raw: Record<string, number> = {};
  let s = 0;
  for (const c of COMPONENTS) {
    const v = x[c];
    let w = 0;
    for (const r of regimes) w += probs[r] * W[r][c];
    raw[c] = v === null || v === undefined ? 0 : w * v;
    s += raw[c];
  }
  const k = Math.abs(s) > 1 ? 1 / Math.abs(s) : 1;
  return { alpha: s * k, contrib: Object.fromEntries(COMPONENTS.map((c) => [c, raw[c] * k])) };
}

export interface Risk { target_vol: number; max_weight: number; max_gross: number; long_only: boolean; min_vol: number }

/**
 * Sizing from its definition: per ticker clamp(alpha * target_vol / max(vol, min_vol), ±max_weight)
 * (missing alpha or vol: 0); then per date across tickers: long_only zeroes negatives, and a gross
 * sum of |w| above max_gross scales all of that date's weights by max_gross / gross.
 * Returns ticker -> date -> weight, and how many dates the gross cap bit.
 */
export function referenceWeights(
  perTicker: Record<string, { dates: string[]; alpha: (number | null)[]; vol: Map<string, number | null> }>,
  risk: Risk,
): { weights: Record<string, Map<string, number>>; capped: number } {
  const raw: Record<string, Map<string, number>> = {};
  const axis = new Set<string>();
  for (const [t, { dates, alpha, vol }] of Object.entries(perTicker)) {
    raw[t] = new Map();
    dates.forEach((d, i) => {
      axis.add(d);
      const a = alpha[i];
      const v = vol.get(d);
      let w = 0;
      if (a !== null && v !== null && v !== undefined) w = Math.min(risk.max_weight, Math.max(-risk.max_weight, (a * risk.target_vol) / Math.max(v, risk.min_vol)));
      if (risk.long_only && w < 0) w = 0;
      raw[t].set(d, w);
    });
  }
  let capped = 0;
  const weights: Record<string, Map<string, number>> = Object.fromEntries(Object.keys(raw).map((t) => [t, new Map()]));
  for (const d of axis) {
    let gross = 0;
    for (const t of Object.keys(raw)) gross += Math.abs(raw[t].get(d) ?? 0);
    const k = gross > risk.max_gross ? risk.max_gross / gross : 1;
    if (k < 1) capped++;
    for (const t of Object.keys(raw)) if (raw[t].has(d)) weights[t].set(d, raw[t].get(d)! * k);
  }
  return { weights, capped };
}

/** Nodes downstream of `from` (exclusive) in pipeline.dag.yaml, read with the yaml package. */
export function descendants(from: string): string[] {
  const spec = parse(readFileSync(join(REPO, 'pipeline.dag.yaml'), 'utf8')) as { nodes: { id: string; inputs?: unknown[] }[] };
  const parents = new Map(spec.nodes.map((n) => [n.id, (n.inputs ?? []).flatMap((i) => (i && typeof i === 'object' && 'node' in i ? [String((i as { node: string }).node)] : []))]));
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, ps] of parents) {
      if (!out.has(id) && ps.some((p) => p === from || out.has(p))) {
        out.add(id);
        grew = true;
      }
    }
  }
  return [...out].sort();
}

