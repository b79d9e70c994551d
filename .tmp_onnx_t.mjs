import { readFileSync } from 'node:fs';
const ort = await import('onnxruntime-node');
const bytes = readFileSync('/tmp/bench_model.onnx');
const X = new Float64Array(readFileSync('/tmp/bench_X.bin').buffer.slice(0));
const n = 100000, f = 30;
const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };
// warm
let s = await ort.InferenceSession.create(bytes, opts); await s.release();
for (const extra of [{}, { graphOptimizationLevel: 'disabled' }, { enableCpuMemArena: false }, {graphOptimizationLevel:'all'}]) {
 for (const batch of [100000, 50000, 10000]) {
  const t0 = performance.now();
  const sess = await ort.InferenceSession.create(bytes, { ...opts, ...extra });
  const t1 = performance.now();
  for (let st = 0; st < n; st += batch) {
    const rows = Math.min(batch, n - st);
    const input = new ort.Tensor('float64', X.subarray(st * f, (st + rows) * f), [rows, f]);
    const r = await sess.run({ X: input }, ['probabilities']);
  }
  const t2 = performance.now();
  await sess.release();
  console.log(JSON.stringify(extra), batch, 'create', (t1-t0).toFixed(0), 'run', (t2-t1).toFixed(0));
 }
}
