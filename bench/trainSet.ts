/**
 * A training/test set on disk for the trainer benchmarks, read by both bench/ml-train.ts and
 * bench/sklearn_compare.py so the two trainers see the same rows and parameters: `<base>.json`
 * (header: shapes, feature names, GBDT parameters) and `<base>.bin` (little-endian raw arrays in
 * this order: train X float64 row-major, test X float64 row-major, train y int32, test y int32;
 * NaN marks a missing value). Raw binary because it needs no library on either side and parses
 * in milliseconds (a CSV of 620,000 x 18 takes longer to read than to train on).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const TrainSetHeader = z.object({
  format: z.literal('gbdt-trainset-v1'),
  description: z.string(),
  f: z.number().int().positive(),
  nTrain: z.number().int().positive(),
  nTest: z.number().int().nonnegative(),
  numClass: z.number().int().min(2),
  features: z.array(z.string()),
  /** GBDT parameters in lib/market/ml/params.ts names; the Python side maps them to scikit-learn's. */
  params: z.record(z.string(), z.number()),
});
export type TrainSetHeader = z.infer<typeof TrainSetHeader>;

export interface TrainSet {
  header: TrainSetHeader;
  Xtrain: Float64Array;
  ytrain: Int32Array;
  Xtest: Float64Array;
  ytest: Int32Array;
}

export function writeTrainSet(base: string, s: TrainSet): void {
  const { f, nTrain, nTest } = s.header;
  if (s.Xtrain.length !== nTrain * f || s.Xtest.length !== nTest * f || s.ytrain.length !== nTrain || s.ytest.length !== nTest) {
    throw new Error(`${base}: array lengths do not match the header (${nTrain} + ${nTest} rows x ${f})`);
  }
  const parts = [s.Xtrain, s.Xtest, s.ytrain, s.ytest].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  writeFileSync(`${base}.bin`, Buffer.concat(parts));
  writeFileSync(`${base}.json`, JSON.stringify(s.header, null, 2) + '\n');
}

export function readTrainSet(base: string): TrainSet {
  const parsed = TrainSetHeader.safeParse(JSON.parse(readFileSync(`${base}.json`, 'utf8')));
  if (!parsed.success) throw new Error(`${base}.json: not a training-set header: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const header = parsed.data;
  const { f, nTrain, nTest } = header;
  const buf = readFileSync(`${base}.bin`);
  const want = 8 * f * (nTrain + nTest) + 4 * (nTrain + nTest);
  if (buf.length !== want) throw new Error(`${base}.bin: ${buf.length} bytes, the header says ${want}`);
  const bytes = new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  let at = 0;
  const f64 = (len: number) => new Float64Array(bytes.buffer, (at += 8 * len) - 8 * len, len);
  const i32 = (len: number) => new Int32Array(bytes.buffer, (at += 4 * len) - 4 * len, len);
  const Xtrain = f64(nTrain * f);
  const Xtest = f64(nTest * f);
  const ytrain = i32(nTrain);
  const ytest = i32(nTest);
  return { header, Xtrain, Xtest, ytrain, ytest };
}
