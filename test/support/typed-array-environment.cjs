// onnxruntime-node checks `data instanceof Float32Array` against the host realm's constructors;
// jest's sandbox has its own, so tensors built in tests are rejected (microsoft/onnxruntime#16622).
// Sharing the host's typed-array constructors with the sandbox fixes it.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const SHARED = [
  'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array',
  'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer',
];

class TypedArrayEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}
module.exports = TypedArrayEnvironment;
