/**
 * Benchmark: fit the regime HMM on 5,000 synthetic days x 2 features (log return, log realised
 * vol over 20 days, weighted as in the pipeline), k = 3, 4 restarts. Prices come from a seeded 3-state Markov-switching random
 * walk, so EM sees realistic regime structure. Run: node dist/bench/regime-hmm.js
 */
import { performance } from 'node:perf_hooks';
import { createRng } from '../lib/core/rng.js';
import { fitHmm } from '../lib/market/regime/fit.js';
import { regimeObservations, regimeObservationWeights } from '../lib/market/regime/observations.js';

const DAYS = 5000;
const STAY = 0.98;
const DRIFT = [0.0008, 0.0002, -0.001];
const VOL = [0.007, 0.012, 0.03];

const rng = createRng(7);
const close = new Float64Array(DAYS);
let state = 0;
let price = 100;
for (let t = 0; t < DAYS; t++) {
  if (rng.next() > STAY) state = (state + 1 + rng.int(2)) % 3;
  price *= Math.exp(DRIFT[state] + VOL[state] * rng.normal());
  close[t] = price;
}
const obs = regimeObservations(close, { vol_window: 20 });

// the same emission weights the pipeline's regime node uses
const options = { k: 3, seed: 42, restarts: 4, tol: 1e-6, maxIter: 200, weights: regimeObservationWeights({ vol_window: 20 }) };
fitHmm(obs, { ...options, restarts: 1, maxIter: 5 }); // warm up the JIT
const t0 = performance.now();
const model = fitHmm(obs, options);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `regime-hmm: fit ${DAYS} days x ${obs.length} features, k=${options.k}, restarts=${options.restarts}: ` +
    `${seconds.toFixed(3)} s (winning restart: ${model.iterations} iterations, logLik ${model.logLik.toFixed(2)})`,
);
console.log(`means: ${JSON.stringify(model.means.map((m) => m.map((v) => +v.toFixed(5))))}`);
