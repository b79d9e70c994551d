/** Row bookkeeping shared by fitting and filtering: which rows carry a full observation. */

/** Throws unless obs is a non-empty list of equal-length feature columns; returns T. */
export function checkObs(obs: readonly Float64Array[], what: string): number {
  if (obs.length === 0) throw new Error(`${what}: obs has no feature columns`);
  const T = obs[0].length;
  for (let f = 1; f < obs.length; f++) {
    if (obs[f].length !== T) {
      throw new Error(`${what}: obs feature ${f} has length ${obs[f].length}, feature 0 has ${T}`);
    }
  }
  return T;
}

/** True when every feature of row t is finite. */
export function isValidRow(obs: readonly Float64Array[], t: number): boolean {
  for (let f = 0; f < obs.length; f++) if (!Number.isFinite(obs[f][t])) return false;
  return true;
}

/** Indices in [from, to) of rows with a full observation, ascending. */
export function validRowIndices(obs: readonly Float64Array[], from = 0, to = obs[0].length): number[] {
  const rows: number[] = [];
  for (let t = from; t < to; t++) if (isValidRow(obs, t)) rows.push(t);
  return rows;
}

/** Copies the given rows into dense per-feature columns (the fitting code works on these). */
export function gatherRows(obs: readonly Float64Array[], rows: readonly number[]): Float64Array[] {
  return obs.map((col) => {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
    return out;
  });
}
