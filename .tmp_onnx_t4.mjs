import { readFileSync } from 'node:fs';
const ort = await import('onnxruntime-node');
const X = new Float64Array(readFileSync('/tmp/bench_X.bin').buffer.slice(0));
const n = 100000, f = 30;
const bytes = readFileSync(process.argv[2]);
async function run(batch, extra={}) {
  const t0 = performance.now();
  const sess = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', ...extra });
  const t1 = performance.now();
  for (let st = 0; st < n; st += batch) {
    const rows = Math.min(batch, n - st);
    await sess.run({ X: new ort.Tensor('float64', X.subarray(st * f, (st + rows) * f), [rows, f]) }, ['probabilities']);
  }
  await sess.release();
  return [t1 - t0, performance.now() - t1];
}
for (const b of [100000, 50000, 10000, 2048, 1024, 100000]) { const r = []; for (let i = 0; i < 3; i++) r.push(await run(b)); console.log(b, r.map(([c, x]) => `${c.toFixed(0)}+${x.toFixed(0)}`).join(' ')); }
