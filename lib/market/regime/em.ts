import { logNormConsts } from './emission.js';
import type { HmmParams } from './init.js';

export interface EmOptions {
  tol: number;
  maxIter: number;
  /** Per-feature variance floors (see varianceFloors). */
  floors: readonly number[];
  /** Per-feature weights of the emission log-density (see HmmFitOptions.weights; default 1). */
  weights?: readonly number[];
}

export interface EmResult {
  params: HmmParams;
  /** Log-likelihood of `params` (the last E-step; no M-step follows it). */
  logLik: number;
  iterations: number;
  /** Log-likelihood at every E-step, in order; EM makes it non-decreasing. */
  history: number[];
}

/**
 * Scaled emissions never reach exactly 0: a row 40 standard deviations out in every state would
 * otherwise underflow and turn the forward pass into 0/0. Only rows whose density ratio to the
 * best state is below e^-690 are affected.
 */
const MIN_EMISSION = 1e-300;

/**
 * Baum-Welch on dense rows (no NaN), with per-step scaling (Rabiner): each row's emissions are
 * divided by their largest value and alpha is renormalised, so nothing under- or overflows.
 * Written by hand because no installed package fits an HMM. Stops when the relative change of
 * the log-likelihood is <= tol or after maxIter E-steps, and returns the parameters the last
 * E-step scored, so `logLik` belongs exactly to `params`.
 */
export function baumWelch(cols: readonly Float64Array[], start: HmmParams, opts: EmOptions): EmResult {
  const n = cols[0].length;
  const d = cols.length;
  const k = start.init.length;
  const w: Work = {
    n,
    d,
    k,
    x: new Float64Array(n * d),
    emit: new Float64Array(n * k),
    alpha: new Float64Array(n * k),
    beta: new Float64Array(n * k),
    scale: new Float64Array(n),
    mean: new Float64Array(k * d),
    halfPrec: new Float64Array(k * d),
    consts: new Float64Array(k),
    A: new Float64Array(k * k),
    init: new Float64Array(k),
    occ: new Float64Array(k),
    xi: new Float64Array(k * k),
    s1: new Float64Array(k * d),
    s2: new Float64Array(k * d),
  };
  for (let t = 0; t < n; t++) for (let f = 0; f < d; f++) w.x[t * d + f] = cols[f][t];
  let params = start;
  const history: number[] = [];
  let logLik = -Infinity;
  for (let iter = 1; ; iter++) {
    load(w, params, opts.weights);
    const ll = forward(w);
    history.push(ll);
    const prev = logLik;
    logLik = ll;
    if (iter >= opts.maxIter || (iter > 1 && Math.abs(ll - prev) <= opts.tol * Math.abs(prev))) {
      return { params, logLik, iterations: iter, history };
    }
    backward(w);
    accumulate(w);
    params = reestimate(w, params, opts.floors);
  }
}

/** Flat working arrays (row-major t*k+j): nested number arrays made an iteration several times
 * slower, and small functions get optimised by V8 sooner than one long loop. */
interface Work {
  n: number;
  d: number;
  k: number;
  x: Float64Array;
  emit: Float64Array;
  alpha: Float64Array;
  beta: Float64Array;
  scale: Float64Array;
  mean: Float64Array;
  halfPrec: Float64Array;
  consts: Float64Array;
  A: Float64Array;
  init: Float64Array;
  occ: Float64Array;
  xi: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
}

function load(w: Work, params: HmmParams, weights: readonly number[] | undefined): void {
  const { d, k } = w;
  for (let s = 0; s < k; s++) {
    for (let f = 0; f < d; f++) {
      w.mean[s * d + f] = params.means[s][f];
      w.halfPrec[s * d + f] = (weights ? weights[f] : 1) * (0.5 / params.vars[s][f]);
    }
    for (let j = 0; j < k; j++) w.A[s * k + j] = params.trans[s][j];
    w.init[s] = params.init[s];
  }
  w.consts.set(logNormConsts(params.vars, weights));
}

/** Scaled forward pass: emissions relative to the row's best state, alpha renormalised per row. */
function forward(w: Work): number {
  const { n, d, k, x, emit, alpha, scale, mean, halfPrec, consts, A, init } = w;
  let ll = 0;
  for (let t = 0; t < n; t++) {
    let mb = -Infinity;
    for (let s = 0; s < k; s++) {
      let acc = consts[s];
      for (let f = 0; f < d; f++) {
        const z = x[t * d + f] - mean[s * d + f];
        acc -= z * z * halfPrec[s * d + f];
      }
      emit[t * k + s] = acc;
      if (acc > mb) mb = acc;
    }
    let c = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.max(Math.exp(emit[t * k + j] - mb), MIN_EMISSION);
      emit[t * k + j] = e;
      let prior = 0;
      if (t === 0) prior = init[j];
      else for (let i = 0; i < k; i++) prior += alpha[(t - 1) * k + i] * A[i * k + j];
      const a = prior * e;
      alpha[t * k + j] = a;
      c += a;
    }
    for (let j = 0; j < k; j++) alpha[t * k + j] /= c;
    scale[t] = c;
    ll += Math.log(c) + mb;
  }
  return ll;
}

/** Backward pass with the forward pass's per-row scales. */
function backward(w: Work): void {
  const { n, k, emit, beta, scale, A } = w;
  for (let j = 0; j < k; j++) beta[(n - 1) * k + j] = 1;
  for (let t = n - 2; t >= 0; t--) {
    const inv = 1 / scale[t + 1];
    for (let i = 0; i < k; i++) {
      let acc = 0;
      for (let j = 0; j < k; j++) acc += A[i * k + j] * emit[(t + 1) * k + j] * beta[(t + 1) * k + j];
      beta[t * k + i] = acc * inv;
    }
  }
}

/**
 * Sufficient statistics: occupancies, transition counts, first and (about the new means) second
 * moments. alpha*beta is renormalised per row to absorb rounding; afterwards alpha holds gamma
 * and `mean` the new means.
 */
function accumulate(w: Work): void {
  const { n, d, k, x, emit, alpha, beta, scale, A, occ, xi, s1, s2, mean } = w;
  occ.fill(0);
  xi.fill(0);
  s1.fill(0);
  s2.fill(0);
  for (let t = 0; t < n; t++) {
    if (t < n - 1) {
      const inv = 1 / scale[t + 1];
      for (let i = 0; i < k; i++) {
        const ai = alpha[t * k + i] * inv;
        for (let j = 0; j < k; j++) {
          xi[i * k + j] += ai * A[i * k + j] * emit[(t + 1) * k + j] * beta[(t + 1) * k + j];
        }
      }
    }
    let g = 0;
    for (let j = 0; j < k; j++) g += alpha[t * k + j] * beta[t * k + j];
    for (let j = 0; j < k; j++) {
      const gamma = (alpha[t * k + j] * beta[t * k + j]) / g;
      alpha[t * k + j] = gamma;
      occ[j] += gamma;
      for (let f = 0; f < d; f++) s1[j * d + f] += gamma * x[t * d + f];
    }
  }
  for (let j = 0; j < k; j++) {
    if (occ[j] > 0) for (let f = 0; f < d; f++) mean[j * d + f] = s1[j * d + f] / occ[j];
  }
  // A second pass about the new means: no E[x^2] - E[x]^2 cancellation.
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < k; j++) {
      const gamma = alpha[t * k + j];
      for (let f = 0; f < d; f++) s2[j * d + f] += gamma * (x[t * d + f] - mean[j * d + f]) ** 2;
    }
  }
}

/** M-step from the accumulated statistics; a state with no occupancy keeps its old parameters. */
function reestimate(w: Work, old: HmmParams, floors: readonly number[]): HmmParams {
  const { d, k, alpha, occ, xi, s2, mean } = w;
  return {
    means: old.means.map((m, j) => (occ[j] > 0 ? m.map((_, f) => mean[j * d + f]) : m.slice())),
    vars: old.vars.map((v, j) =>
      occ[j] > 0 ? v.map((_, f) => Math.max(s2[j * d + f] / occ[j], floors[f])) : v.slice(),
    ),
    trans: old.trans.map((row, i) => {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += xi[i * k + j];
      return sum > 0 ? row.map((_, j) => xi[i * k + j] / sum) : row.slice();
    }),
    init: Array.from({ length: k }, (_, j) => alpha[j]),
  };
}
