/**
 * Seeded pseudo-random numbers. Math.random cannot be seeded, and every random choice in the
 * pipeline (sample market, HMM restarts, tree subsampling) must be reproducible from config.
 * splitmix32 is small, fast and passes the usual statistical batteries for this use.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Student-t with `df` degrees of freedom, scaled to unit variance (df > 2). */
  studentT(df: number): number;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z = z ^ (z >>> 15);
    return (z >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const studentT = (df: number): number => {
    // t = Z / sqrt(chi2/df); chi2 as a sum of squared normals is exact for integer df.
    const k = Math.max(3, Math.round(df));
    let chi2 = 0;
    for (let i = 0; i < k; i++) {
      const g = normal();
      chi2 += g * g;
    }
    return (normal() / Math.sqrt(chi2 / k)) * Math.sqrt((k - 2) / k);
  };
  return { next, normal, int: (n) => Math.floor(next() * n), studentT };
}

/** Derive an independent seed for a named sub-stream (e.g. per ticker) from a base seed. */
export function deriveSeed(seed: number, name: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
