/**
 * The engine's weight-only schemes for a linear matrix in HF layout [out, in], on
 * @chainlm/model's group quantizer (model owns the codes and their layout):
 *  - W8A16: symmetric int8, q = round(w / s), s = max|w| / 127;
 *  - W4A16: asymmetric int4 (AWQ/GPTQ style), q = round(w / s) + z ∈ [0, 15].
 * Groups must divide the input columns (no ragged groups in the quantized file).
 * Optional per-input-channel `channelScales` (AWQ) multiply columns before quantizing
 * and are divided back by dequantizeMatrix.
 */
import { quantizeMatrix, type QuantBits, type QuantizedMatrix, type QuantScheme } from '@chainlm/model';
import { EngineError } from '../errors.js';

/** The scheme a bit width means in the engine (and in its quantized.json files). */
export function linearScheme(bits: QuantBits): QuantScheme {
  return bits === 8 ? 'symmetric' : 'asymmetric';
}

export function quantizeLinear(data: Float32Array, rows: number, cols: number, bits: QuantBits, groupSize: number, channelScales?: Float32Array): QuantizedMatrix {
  if (cols % groupSize !== 0) {
    throw new EngineError('engine-quant-invalid', `groupSize ${groupSize} does not divide the matrix's ${cols} input columns`, `use a groupSize that divides ${cols} (e.g. ${largestDivisor(cols, groupSize)})`);
  }
  return quantizeMatrix(data, rows, cols, bits, groupSize, { scheme: linearScheme(bits), channelScales });
}

function largestDivisor(cols: number, atMost: number): number {
  for (let size = Math.min(atMost, cols); size > 1; size--) if (cols % size === 0) return size;
  return 1;
}
