// Compiles the GBDT training kernels (lib/market/ml/wasm/*.ts, AssemblyScript) to
// lib/market/ml/wasm/kernels.wasm, which lib/market/ml/kernels.ts loads; `npm run build` runs it
// first and copies the result into dist/. Options: the memory is the caller's (kernels.ts sizes
// one per fit), no garbage-collected runtime (the kernels allocate nothing), SIMD for the [g, h]
// pairs, and no assertions (the TypeScript wrappers check their arguments).
import asc from 'assemblyscript/asc';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../lib/market/ml/wasm');
const { error, stderr } = await asc.main([
  join(dir, 'histogram.ts'),
  join(dir, 'partition.ts'),
  join(dir, 'softmax.ts'),
  join(dir, 'split.ts'),
  join(dir, 'binning.ts'),
  '--outFile', join(dir, 'kernels.wasm'),
  '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--noExportMemory', '--enable', 'simd',
]);
if (error) {
  console.error(stderr.toString());
  console.error(`build-wasm: ${error.message}`);
  process.exit(1);
}
