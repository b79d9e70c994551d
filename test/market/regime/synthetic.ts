/** Seeded samples from a known Gaussian HMM, the ground truth for the fitting tests. */
import { createRng } from '../../../lib/core/rng.js';

export interface TrueHmm {
  means: number[][];
  sds: number[][];
  trans: number[][];
}

/** Three persistent states, ordered like the engine orders them (mean return descending). */
export const THREE_STATES: TrueHmm = {
  means: [
    [0.002, -4.8],
    [0.0, -4.4],
    [-0.003, -3.8],
  ],
  sds: [
    [0.006, 0.2],
    [0.01, 0.2],
    [0.02, 0.25],
  ],
  trans: [
    [0.97, 0.02, 0.01],
    [0.02, 0.96, 0.02],
    [0.02, 0.03, 0.95],
  ],
};

export function sampleHmm(truth: TrueHmm, T: number, seed: number): { obs: Float64Array[]; states: number[] } {
  const rng = createRng(seed);
  const d = truth.means[0].length;
  const obs = Array.from({ length: d }, () => new Float64Array(T));
  const states: number[] = [];
  let s = 0;
  for (let t = 0; t < T; t++) {
    if (t > 0) {
      let u = rng.next();
      let next = truth.trans[s].length - 1;
      for (let j = 0; j < truth.trans[s].length; j++) {
        u -= truth.trans[s][j];
        if (u < 0) {
          next = j;
          break;
        }
      }
      s = next;
    }
    states.push(s);
    for (let f = 0; f < d; f++) obs[f][t] = truth.means[s][f] + truth.sds[s][f] * rng.normal();
  }
  return { obs, states };
}

/** Index of the largest of probs[.][t] (first on ties), or -1 when they are NaN. */
export function argmaxAt(probs: readonly Float64Array[], t: number): number {
  let arg = -1;
  let best = -Infinity;
  probs.forEach((p, s) => {
    if (p[t] > best) {
      best = p[t];
      arg = s;
    }
  });
  return arg;
}

/** Largest fraction of days on which truth and guess agree over all relabellings of guess. */
export function bestAgreement(truth: readonly number[], guess: readonly number[], k: number): number {
  let best = 0;
  for (const perm of permutations(k)) {
    let hit = 0;
    for (let t = 0; t < truth.length; t++) if (guess[t] >= 0 && perm[guess[t]] === truth[t]) hit++;
    best = Math.max(best, hit / truth.length);
  }
  return best;
}

function permutations(k: number): number[][] {
  if (k === 1) return [[0]];
  const out: number[][] = [];
  for (const p of permutations(k - 1)) {
    for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), k - 1, ...p.slice(i)]);
  }
  return out;
}

/**
 * States whose mean returns are far apart relative to their noise, so that even a 150-day fit
 * ranks them correctly: the walk-forward tests use it to see label flips, not estimation error.
 */
export const SEPARATED: TrueHmm = {
  means: [
    [0.006, -4.8],
    [0.0, -4.4],
    [-0.01, -3.8],
  ],
  sds: [
    [0.004, 0.15],
    [0.006, 0.15],
    [0.012, 0.2],
  ],
  trans: THREE_STATES.trans,
};
