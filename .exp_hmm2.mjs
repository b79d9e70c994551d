import { readFileSync } from 'node:fs';
import { fitHmm, filterProbs, regimeObservations, walkForwardRegimes, logReturns, rollingSampleStd } from './dist/lib/market/regime/index.js';
const dir = process.argv[2];
const spy = readFileSync(`${dir}/data/raw/SPY_raw.csv`,'utf8').trim().split('\n').slice(1).map(l=>l.split(','));
const reg = new Map(readFileSync(`${dir}/data/raw/_sample_regimes.csv`,'utf8').trim().split('\n').slice(1).map(l=>l.split(',')));
const close = Float64Array.from(spy.map(r=>+r[5])); const dates=spy.map(r=>r[0]);
const truth = dates.map(d=>reg.get(d));
const TN=['bull','bear','highvol'];
const perms = [[0,1,2],[0,2,1],[1,0,2],[1,2,0],[2,0,1],[2,1,0]];
function agree(labels, names, from=0) { let best=0; for (const p of perms){ const m=Object.fromEntries(names.map((h,i)=>[h,TN[p[i]]])); let ok=0,n=0; for(let i=from;i<labels.length;i++){ if(!labels[i]) continue; n++; if(m[labels[i]]===truth[i]) ok++; } best=Math.max(best, ok/n);} return best; }
function lab(m, obs){ const f = filterProbs(m, obs); return dates.map((_,t)=>{ let bs=-1, arg=''; for(let s=0;s<m.k;s++){ const p=f.probs[s][t]; if(p>bs){bs=p;arg=m.labels[s];} } return Number.isFinite(bs)?arg:''; }); }
const opt = { k:3, seed:7, restarts:4, tol:1e-6, maxIter:200, order:'volatility' };
function oracle(obs){ const idx = TN.map(g => dates.map((_,i)=>i).filter(i=>truth[i]===g && obs.every(c=>Number.isFinite(c[i]))));
const means = idx.map(ix => obs.map(c => ix.reduce((a,i)=>a+c[i],0)/ix.length));
const vars = idx.map((ix,s) => obs.map((c,f) => ix.reduce((a,i)=>a+(c[i]-means[s][f])**2,0)/ix.length));
return { k:3, dims: obs.length, means, vars, trans: [[0.993,0.005,0.002],[0.009,0.985,0.006],[0.008,0.012,0.98]], init: [1/3,1/3,1/3], labels: TN, logLik: 0, iterations: 0 }; }
const ret = logReturns(close);
const sets = {};
for (const w of [5,10,20]) sets['ret+lrv'+w] = regimeObservations(close, {vol_window:w});
sets['ret'] = [ret];
sets['ret+log|ret|'] = [ret, ret.map(x=>Math.log(Math.abs(x)+1e-4))];
sets['lrv20'] = [regimeObservations(close, {vol_window:20})[1]];
for (const [name, obs] of Object.entries(sets)) {
  const o = oracle(obs);
  const a = fitHmm(obs, opt);
  const wf = walkForwardRegimes(dates, obs, { ...opt, refit_every: 252, min_train: 504, window: 'expanding', window_days: 1260 });
  const first = wf.labels.findIndex(x=>x);
  console.log(name.padEnd(14), 'oracle-filter', agree(lab(o,obs), TN, first).toFixed(3), 'fit-filter', agree(lab(a,obs), a.labels, first).toFixed(3), 'wf', agree(wf.labels, wf.names).toFixed(3), 'vols', JSON.stringify(a.vars.map(v=>+Math.sqrt(v[0]).toFixed(4))));
}
