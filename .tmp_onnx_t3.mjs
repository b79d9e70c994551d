import { readFileSync } from 'node:fs';
const ort = await import('onnxruntime-node');
const bytes = readFileSync('/tmp/bench_model.onnx');
const X = new Float64Array(readFileSync('/tmp/bench_X.bin').buffer.slice(0));
const n = 100000, f = 30;
async function run(batch) {
  const t0 = performance.now();
  const sess = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const out = new Float64Array(n * 3);
  for (let st = 0; st < n; st += batch) {
    const rows = Math.min(batch, n - st);
    const r = await sess.run({ X: new ort.Tensor('float64', X.subarray(st * f, (st + rows) * f), [rows, f]) }, ['probabilities']);
    out.set(r.probabilities.data, st * 3);
  }
  await sess.release();
  return performance.now() - t0;
}
const batches = (process.argv[2] ?? '100000,50000,10000,5000,2000,1000,500').split(',').map(Number);
const res = Object.fromEntries(batches.map(b => [b, []]));
for (let rep = 0; rep < 5; rep++) for (const b of batches) res[b].push(await run(b));
for (const b of batches) console.log(b, 'min', Math.min(...res[b]).toFixed(0), 'median', res[b].sort((x,y)=>x-y)[2].toFixed(0));
