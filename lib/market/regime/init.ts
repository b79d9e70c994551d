import { createRng, deriveSeed } from '../../core/rng.js';

/** The parameters EM iterates on (an HmmModel without its bookkeeping). */
export interface HmmParams {
  means: number[][];
  vars: number[][];
  trans: number[][];
  init: number[];
}

const LLOYD_ITERATIONS = 10;
/** Regimes persist for weeks, so EM starts from a sticky transition matrix. */
const INIT_STAY = 0.9;

/** Per-feature variance floors: `frac` of each feature's overall variance (never exactly 0). */
export function varianceFloors(cols: readonly Float64Array[], frac: number): number[] {
  return cols.map((col) => {
    let mean = 0;
    for (let i = 0; i < col.length; i++) mean += col[i];
    mean /= col.length;
    let ss = 0;
    for (let i = 0; i < col.length; i++) ss += (col[i] - mean) ** 2;
    return Math.max((frac * ss) / col.length, 1e-300);
  });
}

/**
 * Deterministic EM start for restart number `restart` on dense rows `cols`.
 * Restart 0 splits the rows into k equal-count groups by the first feature (the return);
 * later restarts use k-means++ seeding (seeded per restart) plus a few Lloyd steps on
 * standardised features, so they explore different partitions, e.g. by volatility.
 */
export function initialParams(
  cols: readonly Float64Array[],
  k: number,
  seed: number,
  restart: number,
  floors: readonly number[],
): HmmParams {
  const n = cols[0].length;
  const assign = restart === 0 ? quantileAssign(cols[0], k) : kmeansAssign(cols, k, seed, restart);
  const d = cols.length;
  const counts = new Float64Array(k);
  const means = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const vars = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    counts[assign[i]]++;
    for (let f = 0; f < d; f++) means[assign[i]][f] += cols[f][i];
  }
  const overall = cols.map((col) => col.reduce((a, b) => a + b, 0) / n);
  for (let s = 0; s < k; s++) {
    for (let f = 0; f < d; f++) means[s][f] = counts[s] > 0 ? means[s][f] / counts[s] : overall[f];
  }
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < d; f++) vars[assign[i]][f] += (cols[f][i] - means[assign[i]][f]) ** 2;
  }
  for (let s = 0; s < k; s++) {
    for (let f = 0; f < d; f++) {
      const v = counts[s] > 1 ? vars[s][f] / counts[s] : 0;
      vars[s][f] = Math.max(v, floors[f]);
    }
  }
  const off = k > 1 ? (1 - INIT_STAY) / (k - 1) : 0;
  const trans = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => (k === 1 ? 1 : i === j ? INIT_STAY : off)),
  );
  return { means, vars, trans, init: new Array<number>(k).fill(1 / k) };
}

function quantileAssign(x: Float64Array, k: number): Int32Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const assign = new Int32Array(n);
  // Highest returns first, matching the final state order (bull = state 0).
  for (let r = 0; r < n; r++) assign[order[r]] = k - 1 - Math.min(k - 1, Math.floor((r * k) / n));
  return assign;
}

function kmeansAssign(cols: readonly Float64Array[], k: number, seed: number, restart: number): Int32Array {
  const rng = createRng(deriveSeed(seed, `hmm-restart-${restart}`));
  const n = cols[0].length;
  const d = cols.length;
  const z = cols.map((col) => {
    const mean = col.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / n) || 1;
    return col.map((v) => (v - mean) / sd);
  });
  const dist2 = (i: number, c: number[]): number => {
    let acc = 0;
    for (let f = 0; f < d; f++) acc += (z[f][i] - c[f]) ** 2;
    return acc;
  };
  const centers: number[][] = [];
  const first = rng.int(n);
  centers.push(z.map((col) => col[first]));
  const best = new Float64Array(n).fill(Infinity);
  while (centers.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.min(best[i], dist2(i, centers[centers.length - 1]));
      total += best[i];
    }
    let pick = n - 1;
    let u = rng.next() * total;
    for (let i = 0; i < n; i++) {
      u -= best[i];
      if (u < 0) {
        pick = i;
        break;
      }
    }
    centers.push(z.map((col) => col[pick]));
  }
  const assign = new Int32Array(n);
  for (let it = 0; it < LLOYD_ITERATIONS; it++) {
    for (let i = 0; i < n; i++) {
      let arg = 0;
      let min = Infinity;
      for (let c = 0; c < k; c++) {
        const dd = dist2(i, centers[c]);
        if (dd < min) {
          min = dd;
          arg = c;
        }
      }
      assign[i] = arg;
    }
    const sums = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      counts[assign[i]]++;
      for (let f = 0; f < d; f++) sums[assign[i]][f] += z[f][i];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) centers[c] = sums[c].map((v) => v / counts[c]);
    }
  }
  return assign;
}
