import { readFileSync } from 'node:fs';
import { fitHmm, filterProbs, regimeObservations, walkForwardRegimes } from './dist/lib/market/regime/index.js';
const dir = process.argv[2];
const spy = readFileSync(`${dir}/data/raw/SPY_raw.csv`,'utf8').trim().split('\n').slice(1).map(l=>l.split(','));
const reg = new Map(readFileSync(`${dir}/data/raw/_sample_regimes.csv`,'utf8').trim().split('\n').slice(1).map(l=>l.split(',')));
const close = Float64Array.from(spy.map(r=>+r[5])); const dates=spy.map(r=>r[0]);
const truth = dates.map(d=>reg.get(d));
const TN=['bull','bear','highvol'];
const perms = [[0,1,2],[0,2,1],[1,0,2],[1,2,0],[2,0,1],[2,1,0]];
function agree(labels, names, from=0) { let best=0; for (const p of perms){ const m=Object.fromEntries(names.map((h,i)=>[h,TN[p[i]]])); let ok=0,n=0; for(let i=from;i<labels.length;i++){ if(!labels[i]) continue; n++; if(m[labels[i]]===truth[i]) ok++; } best=Math.max(best, ok/n);} return best; }
const [minTrain, refit] = (process.argv[3] ?? '504,252').split(',').map(Number);
const opt = { k:3, seed:7, restarts:4, tol:1e-6, maxIter:200, order:'volatility' };
for (const vw of [20]) { const obs = regimeObservations(close, {vol_window: vw});
for (const wt of [1, 1/vw]) {
  const t0 = Date.now();
  const wf = walkForwardRegimes(dates, obs, { ...opt, weights: [1, wt], refit_every: refit, min_train: minTrain, window: 'expanding', window_days: 1260 });
  console.log('vw', vw, 'w', wt.toFixed(3), 'wf', agree(wf.labels, wf.names).toFixed(3), Date.now()-t0, 'ms', JSON.stringify(wf.fits.at(-1).model.vars.map(v=>+Math.sqrt(v[0]).toFixed(4))));
}}
