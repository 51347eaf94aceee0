export { quantizeMatrix, dequantizeMatrix, quantizedBytes, type QuantizedMatrix, type QuantizeOptions, type QuantBits, type QuantScheme, type QuantRounding } from './group-quant.js';
export { quantizeQ8_0, dequantizeQ8_0, quantizeQ4_0, dequantizeQ4_0, blockByteLength, q8BlockValues, q4BlockValues, type GgmlBlockType } from './ggml-blocks.js';
