/**
 * ONNX Runtime inference of an exported model (onnx.ts). onnxruntime-node (a ~290 MB native
 * package) is imported lazily so that modules which only train or export never load it.
 * Threads are pinned to one: results change in the last bits with the thread count, and
 * predictions are content-hashed downstream.
 */
import { ONNX_INPUT, ONNX_PROBABILITIES } from './onnx.js';

export const ONNX_BATCH_ROWS = 50_000;

/** Class probabilities (n x C row-major) for row-major float64 X (n x f). */
export async function onnxPredict(bytes: Uint8Array, X: Float64Array, n: number, f: number, output = ONNX_PROBABILITIES): Promise<Float64Array> {
  if (X.length !== n * f) throw new Error(`onnxPredict: X has ${X.length} values, expected n*f = ${n}*${f}`);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  try {
    let out: Float64Array | null = null;
    let C = 0;
    for (let start = 0; start < n; start += ONNX_BATCH_ROWS) {
      const rows = Math.min(ONNX_BATCH_ROWS, n - start);
      const input = new ort.Tensor('float64', X.subarray(start * f, (start + rows) * f), [rows, f]);
      const result = await session.run({ [ONNX_INPUT]: input }, [output]);
      const t = result[output];
      if (!(t.data instanceof Float64Array)) throw new Error(`onnxPredict: output ${output} is ${t.type}, expected float64`);
      if (!out) {
        C = Number(t.dims[1]);
        out = new Float64Array(n * C);
      }
      out.set(t.data, start * C);
      input.dispose?.();
      t.dispose?.();
    }
    return out ?? new Float64Array(0);
  } finally {
    await session.release();
  }
}
