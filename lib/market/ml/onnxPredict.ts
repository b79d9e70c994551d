/**
 * ONNX Runtime inference of an exported model (onnx.ts). onnxruntime-node (a ~290 MB native
 * package) is imported lazily so that modules which only train or export never load it.
 * Threads are pinned to one: results change in the last bits with the thread count, and
 * predictions are content-hashed downstream.
 */
import { ONNX_INPUT, ONNX_PROBABILITIES } from './onnx.js';

export const ONNX_BATCH_ROWS = 50_000;

type Session = Awaited<ReturnType<typeof import('onnxruntime-node').InferenceSession.create>>;

/**
 * Sessions kept by content hash for the life of the thread: a worker predicting ticker after
 * ticker with the same walk-forward models would otherwise rebuild each session every time
 * (~10 ms apiece, thousands of times on a large universe). Bounded, oldest dropped first.
 */
const sessions = new Map<string, Promise<Session>>();
const MAX_SESSIONS = 64;

async function openSession(bytes: Uint8Array, key: string | undefined): Promise<{ session: Session; cached: boolean }> {
  const ort = await import('onnxruntime-node');
  const create = () => ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  if (key === undefined) return { session: await create(), cached: false };
  let entry = sessions.get(key);
  if (!entry) {
    entry = create();
    sessions.set(key, entry);
    if (sessions.size > MAX_SESSIONS) {
      const [oldest, old] = sessions.entries().next().value as [string, Promise<Session>];
      sessions.delete(oldest);
      void old.then((s) => s.release());
    }
  }
  return { session: await entry, cached: true };
}

/**
 * Class probabilities (n x C row-major) for row-major float64 X (n x f). With `sessionKey` (the
 * model's content hash) the session is reused by later calls in the same thread.
 */
export async function onnxPredict(bytes: Uint8Array, X: Float64Array, n: number, f: number, output = ONNX_PROBABILITIES, sessionKey?: string): Promise<Float64Array> {
  if (X.length !== n * f) throw new Error(`onnxPredict: X has ${X.length} values, expected n*f = ${n}*${f}`);
  const ort = await import('onnxruntime-node');
  const { session, cached } = await openSession(bytes, sessionKey);
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
    if (!cached) await session.release();
  }
}
