// AssemblyScript (compiled to kernels.wasm by scripts/build-wasm.mjs, not by tsc).
// @ts-nocheck: AssemblyScript types (usize, f64, load/store) are not TypeScript's.
//
// The split search of one leaf (../split.ts says what it scores and how ties break), in wasm
// because with 30 features x 255 bins and 31 leaves it was a fifth of training on the synthetic
// benchmark. Same float64 operations in the same order as the TypeScript it replaces, so the
// same gains and the same choices.

const SLOT: usize = 24;

// The best split so far (module globals: one leaf at a time, no re-entrancy).
let bestGain: f64 = 0;
let bestFeature: i32 = -1;
let bestBin: i32 = -1;
let bestDefaultLeft: i32 = 0;
let bestG: f64 = 0;
let bestH: f64 = 0;
let bestCount: f64 = 0;

/**
 * Scores the boundaries after bins 0..lastBin of the feature whose slots start at `hist`, the
 * left child starting from (gl, hl, cl).
 */
@inline function scanBins(
  hist: usize, lastBin: i32, gl: f64, hl: f64, cl: f64, G: f64, H: f64, count: f64, parent: f64, l2: f64,
  minData: f64, minHess: f64, j: i32, missingLeft: bool, guessSide: bool,
): void {
  for (let b = 0; b <= lastBin; b++) {
    const s = hist + <usize>b * SLOT;
    gl += load<f64>(s);
    hl += load<f64>(s, 8);
    cl += load<f64>(s, 16);
    if (cl < minData || hl < minHess) continue;
    const cr = count - cl;
    if (cr < minData) break;
    const hr = H - hl;
    if (hr < minHess) continue;
    const gr = G - gl;
    // The two children's scores GL^2/(HL+l2) and GR^2/(HR+l2) in the two lanes of one f64x2
    // division (the divider is this loop's bottleneck); each lane rounds as the scalar would.
    const lr = f64x2.replace_lane(f64x2.splat(gl), 1, gr);
    const q = f64x2.div(f64x2.mul(lr, lr), f64x2.add(f64x2.replace_lane(f64x2.splat(hl), 1, hr), f64x2.splat(l2)));
    const gain = f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1) - parent;
    if (gain > bestGain) {
      bestGain = gain;
      bestFeature = j;
      bestBin = b;
      bestDefaultLeft = missingLeft || (guessSide && cl >= cr) ? 1 : 0;
      bestG = gl;
      bestH = hl;
      bestCount = cl;
    }
  }
}

/**
 * Best split of a leaf with totals (G, H, count) over the features feats[0, nFeats) (int32),
 * numBins[j] value bins each (int32). Writes [gain, feature, bin, defaultLeft, leftG, leftH,
 * leftCount] as float64s to `out`; gain is -Infinity (and the rest unwritten) when no candidate
 * beats minGain.
 */
export function findBestSplit(
  out: usize, hist: usize, numBins: usize, feats: usize, nFeats: i32, G: f64, H: f64, count: f64,
  l2: f64, minData: f64, minHess: f64, minGain: f64,
): void {
  const parent = (G * G) / (H + l2);
  bestGain = minGain;
  bestFeature = -1;
  for (let q = 0; q < nFeats; q++) {
    const j = load<i32>(feats + (<usize>q << 2));
    const nb = load<i32>(numBins + (<usize>j << 2));
    const h = hist + (<usize>j << 8) * SLOT;
    const m = h + <usize>nb * SLOT;
    const gM = load<f64>(m);
    const hM = load<f64>(m, 8);
    const cM = load<f64>(m, 16);
    // Missing rows right, then (when there are any) left.
    scanBins(h, cM > 0 ? nb - 1 : nb - 2, 0, 0, 0, G, H, count, parent, l2, minData, minHess, j, false, cM <= 0);
    if (cM > 0) scanBins(h, nb - 2, gM, hM, cM, G, H, count, parent, l2, minData, minHess, j, true, false);
  }
  if (bestFeature < 0) {
    store<f64>(out, -Infinity);
    return;
  }
  store<f64>(out, bestGain);
  store<f64>(out, <f64>bestFeature, 8);
  store<f64>(out, <f64>bestBin, 16);
  store<f64>(out, <f64>bestDefaultLeft, 24);
  store<f64>(out, bestG, 32);
  store<f64>(out, bestH, 40);
  store<f64>(out, bestCount, 48);
}
