import { readFileSync } from 'node:fs';
const ort = await import('onnxruntime-node');
const X = new Float64Array(readFileSync('/tmp/bench_X.bin').buffer.slice(0));
const js = new Float64Array(readFileSync('/tmp/bench_js.bin').buffer.slice(0));
const n = 100000, f = 30;
async function run(file, batch = 50000) {
  const bytes = readFileSync(file);
  const t0 = performance.now();
  const sess = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const out = new Float64Array(n * 3);
  for (let st = 0; st < n; st += batch) {
    const rows = Math.min(batch, n - st);
    const r = await sess.run({ X: new ort.Tensor('float64', X.subarray(st * f, (st + rows) * f), [rows, f]) }, ['probabilities']);
    out.set(r.probabilities.data, st * 3);
  }
  await sess.release();
  return { ms: performance.now() - t0, out };
}
const t = { old: [], new: [] };
let a, b;
for (let rep = 0; rep < 5; rep++) { a = await run('/tmp/bench_model.onnx'); b = await run('/tmp/bench_model_new.onnx'); t.old.push(a.ms); t.new.push(b.ms); }
let same = true, md = 0; for (let i = 0; i < a.out.length; i++) { if (a.out[i] !== b.out[i]) same = false; md = Math.max(md, Math.abs(b.out[i] - js[i])); }
console.log('old', t.old.map(x=>x.toFixed(0)).join(' '), '\nnew', t.new.map(x=>x.toFixed(0)).join(' '), '\nbitwise same', same, 'max|new-js|', md);
