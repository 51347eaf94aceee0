/**
 * QLoRA's frozen base is quantized by @chainlm/model's group quantizer (model owns
 * weight formats): symmetric absmax groups, int8 or int4, the default scheme of
 * `quantizeMatrix(values, rows, columns, bits, groupSize)`; lora-runtime imports it
 * from there. This re-export only keeps `@chainlm/train`'s index line compiling and
 * goes with that line.
 */
export { quantizeMatrix, dequantizeMatrix, quantizedBytes, type QuantizedMatrix } from '@chainlm/model';
