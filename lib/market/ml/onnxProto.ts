/**
 * The subset of onnx.proto needed to write a tree-ensemble model, declared for protobufjs
 * reflection. Field numbers are those of onnx/onnx.proto (ONNX IR); no .proto file is loaded at
 * run time, so encoding needs no file access and is fixed by this code.
 */
import protobuf from 'protobufjs';

const field = (id: number, type: string, rule?: 'repeated') => (rule ? { id, type, rule } : { id, type });

const ONNX_SUBSET = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: field(1, 'int64'),
            producer_name: field(2, 'string'),
            producer_version: field(3, 'string'),
            domain: field(4, 'string'),
            model_version: field(5, 'int64'),
            doc_string: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            opset_import: field(8, 'OperatorSetIdProto', 'repeated'),
            metadata_props: field(14, 'StringStringEntryProto', 'repeated'),
          },
        },
        OperatorSetIdProto: { fields: { domain: field(1, 'string'), version: field(2, 'int64') } },
        StringStringEntryProto: { fields: { key: field(1, 'string'), value: field(2, 'string') } },
        GraphProto: {
          fields: {
            node: field(1, 'NodeProto', 'repeated'),
            name: field(2, 'string'),
            initializer: field(5, 'TensorProto', 'repeated'),
            doc_string: field(10, 'string'),
            input: field(11, 'ValueInfoProto', 'repeated'),
            output: field(12, 'ValueInfoProto', 'repeated'),
          },
        },
        NodeProto: {
          fields: {
            input: field(1, 'string', 'repeated'),
            output: field(2, 'string', 'repeated'),
            name: field(3, 'string'),
            op_type: field(4, 'string'),
            attribute: field(5, 'AttributeProto', 'repeated'),
            doc_string: field(6, 'string'),
            domain: field(7, 'string'),
          },
        },
        AttributeProto: {
          fields: {
            name: field(1, 'string'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            t: field(5, 'TensorProto'),
            floats: field(7, 'float', 'repeated'),
            ints: field(8, 'int64', 'repeated'),
            strings: field(9, 'bytes', 'repeated'),
            type: field(20, 'int32'),
          },
        },
        TensorProto: {
          fields: {
            dims: field(1, 'int64', 'repeated'),
            data_type: field(2, 'int32'),
            float_data: field(4, 'float', 'repeated'),
            int32_data: field(5, 'int32', 'repeated'),
            int64_data: field(7, 'int64', 'repeated'),
            name: field(8, 'string'),
            raw_data: field(9, 'bytes'),
            double_data: field(10, 'double', 'repeated'),
          },
        },
        ValueInfoProto: { fields: { name: field(1, 'string'), type: field(2, 'TypeProto') } },
        TypeProto: { fields: { tensor_type: field(1, 'TypeProtoTensor') } },
        TypeProtoTensor: { fields: { elem_type: field(1, 'int32'), shape: field(2, 'TensorShapeProto') } },
        TensorShapeProto: { fields: { dim: field(1, 'TensorShapeDimension', 'repeated') } },
        TensorShapeDimension: { fields: { dim_value: field(1, 'int64'), dim_param: field(2, 'string') } },
      },
    },
  },
};

/** AttributeProto.AttributeType values used here. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
/** TensorProto.DataType values used here. */
export const DTYPE = { FLOAT: 1, UINT8: 2, INT64: 7, DOUBLE: 11 } as const;

let modelType: protobuf.Type | null = null;

/** The reflected onnx.ModelProto type (built once). */
export function onnxModelType(): protobuf.Type {
  if (!modelType) modelType = protobuf.Root.fromJSON(ONNX_SUBSET).lookupType('onnx.ModelProto');
  return modelType;
}
