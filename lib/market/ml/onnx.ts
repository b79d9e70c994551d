/**
 * Export a GbdtModel as an ONNX model: the double-precision `TreeEnsemble` operator (ai.onnx.ml
 * opset 5, IR 10) gives the summed tree scores, `Add` the base scores, `Softmax(axis=1)` the
 * probabilities. Inputs and arithmetic stay float64, so ONNX Runtime reproduces predictProba to
 * rounding. Encoded by hand with protobufjs because no ONNX writer exists for Node.
 *
 * Graph: X double [N, F] -> one TreeEnsemble per class -> Concat(axis=1) -> tree_scores [N, C]
 *        -> Add(base_score) -> scores [N, C] -> Softmax(axis=1) -> probabilities [N, C].
 *        Both `scores` and `probabilities` are outputs.
 */
import type { GbdtModel } from './model.js';
import { ATTR, DTYPE, onnxModelType } from './onnxProto.js';

export const ONNX_INPUT = 'X';
export const ONNX_PROBABILITIES = 'probabilities';
export const ONNX_SCORES = 'scores';
export const ONNX_IR_VERSION = 10;
export const ONNX_ML_OPSET = 5;
export const ONNX_OPSET = 13;

export interface OnnxExportOptions {
  /** Class labels for the metadata (default: class ids 0..C-1). */
  classes?: (string | number)[];
  /** Extra metadata_props entries (written sorted by key). */
  metadata?: Record<string, string>;
}

interface Attr {
  name: string;
  type: number;
  i?: number;
  ints?: number[];
  t?: Tensor;
}
interface Tensor {
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
  name?: string;
}

/** ONNX bytes for the model; the same model and names always give the same bytes. */
export function exportOnnx(model: GbdtModel, featureNames: string[], options: OnnxExportOptions = {}): Uint8Array {
  const F = model.numFeatures;
  const C = model.numClass;
  if (featureNames.length !== F) throw new Error(`exportOnnx: ${featureNames.length} feature names for a model with ${F} features`);
  const classes = options.classes ?? Array.from({ length: C }, (_, c) => c);
  if (classes.length !== C) throw new Error(`exportOnnx: ${classes.length} class labels for a model with ${C} classes`);

  // One single-target ensemble per class, joined by Concat: ONNX Runtime evaluates a
  // single-target ensemble in blocks of rows (every tree over a block of rows, then the next
  // tree), a multi-target one row by row over all trees, which misses the cache on large models.
  // Each class score is still the sum of its trees in training order, so the numbers are equal.
  const ensembles = Array.from({ length: C }, (_, c) => ensembleAttributes(model.trees.filter((t) => t.classId === c)));
  const treeNodes = ensembles.map((attribute, c) => ({
    input: [ONNX_INPUT],
    output: [`tree_scores_${c}`],
    name: `trees_${c}`,
    op_type: 'TreeEnsemble',
    domain: 'ai.onnx.ml',
    attribute,
  }));

  const meta: Record<string, string> = {
    ...options.metadata,
    feature_names: JSON.stringify(featureNames),
    classes: JSON.stringify(classes),
    model_format: model.format,
    num_rounds: String(model.numRounds),
  };
  const tensorType = (cols: number) => ({
    tensor_type: { elem_type: DTYPE.DOUBLE, shape: { dim: [{ dim_param: 'N' }, { dim_value: cols }] } },
  });
  const message = {
    ir_version: ONNX_IR_VERSION,
    producer_name: 'dag-hybrid-alpha',
    producer_version: '1',
    model_version: 1,
    opset_import: [
      { domain: '', version: ONNX_OPSET },
      { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET },
    ],
    graph: {
      name: 'gbdt_softmax',
      node: [
        ...treeNodes,
        {
          input: treeNodes.map((t) => t.output[0]),
          output: ['tree_scores'],
          name: 'concat_classes',
          op_type: 'Concat',
          domain: '',
          attribute: [{ name: 'axis', type: ATTR.INT, i: 1 }],
        },
        { input: ['tree_scores', 'base_score'], output: [ONNX_SCORES], name: 'add_base', op_type: 'Add', domain: '' },
        {
          input: [ONNX_SCORES],
          output: [ONNX_PROBABILITIES],
          name: 'softmax',
          op_type: 'Softmax',
          domain: '',
          attribute: [{ name: 'axis', type: ATTR.INT, i: 1 }],
        },
      ],
      initializer: [{ ...doubleTensor(model.baseScore), name: 'base_score' }],
      input: [{ name: ONNX_INPUT, type: tensorType(F) }],
      output: [
        { name: ONNX_PROBABILITIES, type: tensorType(C) },
        { name: ONNX_SCORES, type: tensorType(C) },
      ],
    },
    metadata_props: Object.keys(meta)
      .sort()
      .map((key) => ({ key, value: meta[key] })),
  };
  const type = onnxModelType();
  const err = type.verify(message);
  if (err) throw new Error(`exportOnnx: invalid ONNX message: ${err}`);
  return type.encode(type.fromObject(message)).finish();
}

/** TreeEnsemble attributes (one target, sum of leaf weights) for one class's trees, in order. */
function ensembleAttributes(trees: GbdtModel['trees']): Attr[] {
  const featureIds: number[] = [];
  const splits: number[] = [];
  const trueNode: number[] = [];
  const trueLeaf: number[] = [];
  const falseNode: number[] = [];
  const falseLeaf: number[] = [];
  const missingTrue: number[] = [];
  const treeRoots: number[] = [];
  const leafWeight: number[] = [];
  // A class without trees scores 0: one split-less tree with a zero leaf.
  const list = trees.length > 0 ? trees : [{ splitFeature: [], threshold: [], defaultLeft: [], left: [], right: [], leafValue: [0] }];
  for (const t of list) {
    const nodeBase = featureIds.length;
    const leafBase = leafWeight.length;
    treeRoots.push(nodeBase);
    for (const w of t.leafValue) leafWeight.push(w);
    if (t.splitFeature.length === 0) {
      // TreeEnsemble has no leaf-only tree: a split whose both branches reach the single leaf.
      featureIds.push(0);
      splits.push(0);
      missingTrue.push(1);
      trueNode.push(leafBase);
      trueLeaf.push(1);
      falseNode.push(leafBase);
      falseLeaf.push(1);
      continue;
    }
    for (let k = 0; k < t.splitFeature.length; k++) {
      featureIds.push(t.splitFeature[k]);
      splits.push(t.threshold[k]);
      missingTrue.push(t.defaultLeft[k] ? 1 : 0);
      const [ln, ll] = child(t.left[k], nodeBase, leafBase);
      const [rn, rl] = child(t.right[k], nodeBase, leafBase);
      trueNode.push(ln);
      trueLeaf.push(ll);
      falseNode.push(rn);
      falseLeaf.push(rl);
    }
  }
  const nNodes = featureIds.length;
  return [
    { name: 'aggregate_function', type: ATTR.INT, i: 1 }, // SUM
    { name: 'leaf_targetids', type: ATTR.INTS, ints: new Array<number>(leafWeight.length).fill(0) },
    { name: 'leaf_weights', type: ATTR.TENSOR, t: doubleTensor(leafWeight) },
    { name: 'n_targets', type: ATTR.INT, i: 1 },
    { name: 'nodes_falseleafs', type: ATTR.INTS, ints: falseLeaf },
    { name: 'nodes_falsenodeids', type: ATTR.INTS, ints: falseNode },
    { name: 'nodes_featureids', type: ATTR.INTS, ints: featureIds },
    { name: 'nodes_missing_value_tracks_true', type: ATTR.INTS, ints: missingTrue },
    { name: 'nodes_modes', type: ATTR.TENSOR, t: { dims: [nNodes], data_type: DTYPE.UINT8, raw_data: new Uint8Array(nNodes) } }, // all BRANCH_LEQ
    { name: 'nodes_splits', type: ATTR.TENSOR, t: doubleTensor(splits) },
    { name: 'nodes_trueleafs', type: ATTR.INTS, ints: trueLeaf },
    { name: 'nodes_truenodeids', type: ATTR.INTS, ints: trueNode },
    { name: 'post_transform', type: ATTR.INT, i: 0 }, // NONE: softmax is a separate node
    { name: 'tree_roots', type: ATTR.INTS, ints: treeRoots },
  ];
}

/** A child pointer as (index, isLeaf) in the ensemble's global node / leaf numbering. */
function child(c: number, nodeBase: number, leafBase: number): [number, number] {
  return c >= 0 ? [nodeBase + c, 0] : [leafBase + ~c, 1];
}

/** 1-D double tensor, little-endian raw bytes as the ONNX spec requires whatever the host order. */
function doubleTensor(values: number[]): Tensor {
  const buf = new Uint8Array(values.length * 8);
  const view = new DataView(buf.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return { dims: [values.length], data_type: DTYPE.DOUBLE, raw_data: buf };
}

/** The model's metadata_props, read back from ONNX bytes (for checks and the registry). */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const decoded = onnxModelType().decode(bytes) as unknown as { metadata_props?: { key: string; value: string }[] };
  const out: Record<string, string> = {};
  for (const e of decoded.metadata_props ?? []) out[e.key] = e.value;
  return out;
}
