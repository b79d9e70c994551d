import { readFileSync } from 'node:fs';
import { fitHmm, filterProbs, regimeObservations, walkForwardRegimes } from './dist/lib/market/regime/index.js';
const dir = process.argv[2];
const spy = readFileSync(`${dir}/data/raw/SPY_raw.csv`,'utf8').trim().split('\n').slice(1).map(l=>l.split(','));
const reg = new Map(readFileSync(`${dir}/data/raw/_sample_regimes.csv`,'utf8').trim().split('\n').slice(1).map(l=>l.split(',')));
const close = Float64Array.from(spy.map(r=>+r[5])); const dates=spy.map(r=>r[0]);
const truth = dates.map(d=>reg.get(d));
const TN=['bull','bear','highvol'];
const perms = [[0,1,2],[0,2,1],[1,0,2],[1,2,0],[2,0,1],[2,1,0]];
function agree(labels, names) { let best=0; for (const p of perms){ const m=Object.fromEntries(names.map((h,i)=>[h,TN[p[i]]])); let ok=0,n=0; for(let i=0;i<labels.length;i++){ if(!labels[i]) continue; n++; if(m[labels[i]]===truth[i]) ok++; } best=Math.max(best, ok/n);} return best; }
const vw = +(process.argv[3] ?? 20);
const obs = regimeObservations(close, { vol_window: vw });
// oracle start from truth
const idx = TN.map(g => dates.map((_,i)=>i).filter(i=>truth[i]===g && Number.isFinite(obs[1][i])));
const means = idx.map(ix => obs.map(c => ix.reduce((a,i)=>a+c[i],0)/ix.length));
const vars = idx.map((ix,s) => obs.map((c,f) => ix.reduce((a,i)=>a+(c[i]-means[s][f])**2,0)/ix.length));
const oracle = { means, vars, trans: [[0.98,0.01,0.01],[0.01,0.98,0.01],[0.01,0.01,0.98]], init: [1/3,1/3,1/3] };
const opt = { k:3, seed:7, restarts:4, tol:1e-6, maxIter:200, order:'volatility' };
const a = fitHmm(obs, opt);
const b = fitHmm(obs, { ...opt, restarts: 1, starts: [oracle] });
const o = fitHmm(obs, { ...opt, restarts: 1, maxIter: 1, starts: [oracle] });
console.log('vw', vw, 'default fit logLik', a.logLik.toFixed(1), 'oracle-start fit (restart0 + oracle)', b.logLik.toFixed(1));
for (const m of [a,b]) { const f = filterProbs(m, obs); const lab = dates.map((_,t)=>{ let bs=-1, arg=''; for(let s=0;s<3;s++){ const p=f.probs[s][t]; if(p>bs){bs=p;arg=m.labels[s];} } return Number.isFinite(bs)?arg:''; }); console.log(' full-sample filter agreement', agree(lab, m.labels).toFixed(4), JSON.stringify(m.vars.map(v=>+Math.sqrt(v[0]).toFixed(4)))); }
const wf = walkForwardRegimes(dates, obs, { ...opt, refit_every: 252, min_train: 504, window: 'expanding', window_days: 1260 });
console.log(' walk-forward agreement', agree(wf.labels, wf.names).toFixed(4));
