/**
 * A small diagonal-Gaussian HMM (Baum-Welch + smoothed posteriors) used only as an independent
 * oracle in tests: "can a standard HMM recover the sample market's hidden states?".
 */
export interface HmmFit {
  states: number[];
  logLik: number;
}

export function fitHmmStates(x: number[][], k: number, iterations = 60, initLabels?: number[]): HmmFit {
  const n = x.length;
  const d = x[0]!.length;
  // Deterministic initialisation: states by quantile of the last feature (volatility).
  const order = x.map((_, i) => i).sort((a, b) => x[a]![d - 1]! - x[b]![d - 1]!);
  const init = initLabels ? initLabels.slice() : new Array<number>(n);
  if (!initLabels) order.forEach((idx, rank) => (init[idx] = Math.min(k - 1, Math.floor((rank * k) / n))));
  const mean = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const vari = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const cnt = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    cnt[init[i]!]!++;
    for (let j = 0; j < d; j++) mean[init[i]!]![j]! += x[i]![j]!;
  }
  for (let s = 0; s < k; s++) for (let j = 0; j < d; j++) mean[s]![j]! /= cnt[s]!;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) vari[init[i]!]![j]! += (x[i]![j]! - mean[init[i]!]![j]!) ** 2;
  for (let s = 0; s < k; s++) for (let j = 0; j < d; j++) vari[s]![j] = vari[s]![j]! / cnt[s]! + 1e-6;
  let trans = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => (a === b ? 0.95 : 0.05 / (k - 1))));
  let pi = new Array<number>(k).fill(1 / k);
  let gamma: number[][] = [];
  let logLik = 0;
  for (let it = 0; it < iterations; it++) {
    const b = x.map((row) =>
      mean.map((m, s) => {
        let lp = 0;
        for (let j = 0; j < d; j++) lp += -0.5 * Math.log(2 * Math.PI * vari[s]![j]!) - ((row[j]! - m[j]!) ** 2) / (2 * vari[s]![j]!);
        return Math.exp(lp);
      }),
    );
    const alpha: number[][] = [];
    const scale: number[] = [];
    for (let t = 0; t < n; t++) {
      const a = new Array<number>(k).fill(0);
      for (let s = 0; s < k; s++) {
        let p = 0;
        if (t === 0) p = pi[s]!;
        else for (let r = 0; r < k; r++) p += alpha[t - 1]![r]! * trans[r]![s]!;
        a[s] = p * b[t]![s]! + 1e-300;
      }
      const c = a.reduce((u, v) => u + v, 0);
      scale.push(c);
      alpha.push(a.map((v) => v / c));
    }
    const beta: number[][] = new Array(n);
    beta[n - 1] = new Array<number>(k).fill(1);
    for (let t = n - 2; t >= 0; t--) {
      beta[t] = new Array<number>(k).fill(0);
      for (let s = 0; s < k; s++) {
        let v = 0;
        for (let r = 0; r < k; r++) v += trans[s]![r]! * b[t + 1]![r]! * beta[t + 1]![r]!;
        beta[t]![s] = v / scale[t + 1]!;
      }
    }
    logLik = scale.reduce((u, c) => u + Math.log(c), 0);
    gamma = alpha.map((a, t) => {
      const g = a.map((v, s) => v * beta[t]![s]!);
      const z = g.reduce((u, v) => u + v, 0);
      return g.map((v) => v / z);
    });
    const xi = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let t = 0; t < n - 1; t++) {
      for (let s = 0; s < k; s++)
        for (let r = 0; r < k; r++) xi[s]![r]! += (alpha[t]![s]! * trans[s]![r]! * b[t + 1]![r]! * beta[t + 1]![r]!) / scale[t + 1]!;
    }
    trans = xi.map((row) => {
      const z = row.reduce((u, v) => u + v, 0);
      return row.map((v) => v / z);
    });
    pi = gamma[0]!.slice();
    for (let s = 0; s < k; s++) {
      const w = gamma.reduce((u, g) => u + g[s]!, 0);
      for (let j = 0; j < d; j++) {
        const m = gamma.reduce((u, g, t) => u + g[s]! * x[t]![j]!, 0) / w;
        mean[s]![j] = m;
        vari[s]![j] = gamma.reduce((u, g, t) => u + g[s]! * (x[t]![j]! - m) ** 2, 0) / w + 1e-6;
      }
    }
  }
  return { states: gamma.map((g) => g.indexOf(Math.max(...g))), logLik };
}

/** Share of days on which the best one-to-one relabelling of `found` equals `truth`. */
export function bestMatchAccuracy(found: number[], truth: number[], k: number): number {
  const perms: number[][] = [];
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) perms.push(prefix);
    rest.forEach((v, i) => permute([...prefix, v], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], Array.from({ length: k }, (_, i) => i));
  let best = 0;
  for (const p of perms) {
    let ok = 0;
    for (let i = 0; i < found.length; i++) if (p[found[i]!] === truth[i]) ok++;
    best = Math.max(best, ok / found.length);
  }
  return best;
}
