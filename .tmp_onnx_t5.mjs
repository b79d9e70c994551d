import { readFileSync } from 'node:fs';
const ort = await import('onnxruntime-node');
const X = new Float64Array(readFileSync('/tmp/bench_X.bin').buffer.slice(0));
const n = 100000, f = 30;
const bytes = readFileSync('/tmp/bench_model_new.onnx');
async function run(o) {
  const t0 = performance.now();
  const sess = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, ...o });
  const out = new Float64Array(n*3);
  for (let st = 0; st < n; st += 50000) {
    const r = await sess.run({ X: new ort.Tensor('float64', X.subarray(st * f, (st + 50000) * f), [50000, f]) }, ['probabilities']);
    out.set(r.probabilities.data, st*3);
  }
  await sess.release();
  return [performance.now() - t0, out];
}
const [_, base] = await run({ interOpNumThreads: 1, executionMode: 'sequential' });
for (const o of [{ interOpNumThreads: 1, executionMode: 'sequential' }, { interOpNumThreads: 3, executionMode: 'parallel' }, { interOpNumThreads: 2, executionMode: 'parallel' }]) {
  const ts = []; let same = true;
  for (let i = 0; i < 3; i++) { const [ms, out] = await run(o); ts.push(ms.toFixed(0)); for (let j = 0; j < out.length; j++) if (out[j] !== base[j]) same = false; }
  console.log(JSON.stringify(o), ts.join(' '), 'same', same);
}
