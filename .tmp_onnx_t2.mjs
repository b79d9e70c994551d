import { readFileSync } from 'node:fs';
const ort = await import('onnxruntime-node');
const bytes = readFileSync('/tmp/bench_model.onnx');
const X = new Float64Array(readFileSync('/tmp/bench_X.bin').buffer.slice(0));
const js = new Float64Array(readFileSync('/tmp/bench_js.bin').buffer.slice(0));
const n = 100000, f = 30;
async function run(threads, batch, o = {}) {
  const t0 = performance.now();
  const sess = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', ...o });
  const out = new Float64Array(n * 3);
  for (let st = 0; st < n; st += batch) {
    const rows = Math.min(batch, n - st);
    const r = await sess.run({ X: new ort.Tensor('float64', X.subarray(st * f, (st + rows) * f), [rows, f]) }, ['probabilities']);
    out.set(r.probabilities.data, st * 3);
  }
  await sess.release();
  return { ms: performance.now() - t0, out };
}
const base = await run(1, 50000);
for (const [th, b] of [[1,50000],[2,50000],[2,100000],[1,100000],[1,5000],[2,5000],[1,1000], [1, 50000]]) {
  const r = await run(th, b);
  let same = true, md = 0; for (let i = 0; i < r.out.length; i++) { if (r.out[i] !== base.out[i]) same = false; md = Math.max(md, Math.abs(r.out[i]-js[i])); }
  console.log('threads', th, 'batch', b, r.ms.toFixed(0), 'ms', 'bitwise same as 1-thread', same, 'max|ort-js|', md.toExponential(2));
}
