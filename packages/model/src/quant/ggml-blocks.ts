/**
 * ggml's quantized block layouts, as GGUF stores them (ggml-common.h):
 *   Q8_0: 32 values → f16 scale d, 32 × int8 q;          x ≈ d · q        (34 bytes)
 *   Q4_0: 32 values → f16 scale d, 16 bytes of nibbles;  x ≈ d · (q − 8)  (18 bytes)
 *         byte j holds value j in its low nibble and value j + 16 in its high one.
 * The codes come from group-quant.ts with rounding 'ggml' (quantize_row_*_ref in float32,
 * so the bytes equal llama.cpp's own); this file only lays them out in blocks.
 */
import { floatToHalf, halfToFloat } from '../io/half.js';
import { dequantizeMatrix, quantizeMatrix, type QuantizedMatrix } from './group-quant.js';

export const q8BlockValues = 32;
export const q8BlockBytes = 2 + q8BlockValues;
export const q4BlockValues = 32;
export const q4BlockBytes = 2 + q4BlockValues / 2;

export type GgmlBlockType = 'Q8_0' | 'Q4_0';

/** Bytes of `values` values stored in a block type (values a multiple of 32). */
export function blockByteLength(type: GgmlBlockType, values: number): number {
  return type === 'Q8_0' ? (values / q8BlockValues) * q8BlockBytes : (values / q4BlockValues) * q4BlockBytes;
}

export function quantizeQ8_0(values: Float32Array): Uint8Array {
  const matrix = quantizeBlocks('Q8_0', values);
  const out = new Uint8Array(blockByteLength('Q8_0', values.length));
  for (let block = 0; block < matrix.scales.length; block++) {
    const base = block * q8BlockBytes;
    writeHalf(out, base, matrix.scales[block]);
    out.set(matrix.codes.subarray(block * q8BlockValues, (block + 1) * q8BlockValues), base + 2);
  }
  return out;
}

export function dequantizeQ8_0(bytes: Uint8Array, values: number): Float32Array {
  const matrix = emptyBlocks('Q8_0', bytes, values);
  for (let block = 0; block < matrix.scales.length; block++) {
    const base = block * q8BlockBytes;
    matrix.scales[block] = readHalf(bytes, base);
    matrix.codes.set(bytes.subarray(base + 2, base + q8BlockBytes), block * q8BlockValues);
  }
  return dequantizeMatrix(matrix);
}

export function quantizeQ4_0(values: Float32Array): Uint8Array {
  const matrix = quantizeBlocks('Q4_0', values);
  const out = new Uint8Array(blockByteLength('Q4_0', values.length));
  const half = q4BlockValues / 2;
  for (let block = 0; block < matrix.scales.length; block++) {
    const base = block * q4BlockBytes;
    writeHalf(out, base, matrix.scales[block]);
    // group-quant packs values 2k, 2k+1 into byte k; ggml packs j and j + 16.
    const codes = matrix.codes.subarray((block * q4BlockValues) / 2);
    const nibble = (index: number) => (index & 1 ? codes[index >> 1] >> 4 : codes[index >> 1] & 0x0f);
    for (let index = 0; index < half; index++) out[base + 2 + index] = nibble(index) | (nibble(half + index) << 4);
  }
  return out;
}

export function dequantizeQ4_0(bytes: Uint8Array, values: number): Float32Array {
  const matrix = emptyBlocks('Q4_0', bytes, values);
  const half = q4BlockValues / 2;
  for (let block = 0; block < matrix.scales.length; block++) {
    const base = block * q4BlockBytes;
    matrix.scales[block] = readHalf(bytes, base);
    const codes = matrix.codes.subarray((block * q4BlockValues) / 2);
    for (let index = 0; index < half; index++) {
      const byte = bytes[base + 2 + index];
      setNibble(codes, index, byte & 0x0f);
      setNibble(codes, half + index, byte >>> 4);
    }
  }
  return dequantizeMatrix(matrix);
}

function quantizeBlocks(type: GgmlBlockType, values: Float32Array): QuantizedMatrix {
  if (values.length % q8BlockValues !== 0) throw new Error(`${type} needs a multiple of ${q8BlockValues} values, got ${values.length}`);
  // Group scales are Math.fround'ed in 'ggml' rounding, so the float32 store is exact.
  return quantizeMatrix(values, 1, values.length, type === 'Q8_0' ? 8 : 4, q8BlockValues, { rounding: 'ggml' });
}

/** A zeroed one-row matrix in group-quant's layout, to be filled from ggml blocks. */
function emptyBlocks(type: GgmlBlockType, bytes: Uint8Array, values: number): QuantizedMatrix {
  if (bytes.length !== blockByteLength(type, values)) throw new Error(`${type} data of ${bytes.length} bytes cannot hold ${values} values`);
  const bits = type === 'Q8_0' ? 8 : 4;
  const codes = new Uint8Array(bits === 8 ? values : values / 2);
  return { bits, scheme: 'symmetric', rows: 1, columns: values, groupSize: q8BlockValues, codes, scales: new Float32Array(values / q8BlockValues), zeros: new Uint8Array(0), channelScales: new Float32Array(0) };
}

function setNibble(codes: Uint8Array, index: number, value: number): void {
  codes[index >> 1] |= index & 1 ? value << 4 : value;
}

function writeHalf(out: Uint8Array, at: number, value: number): void {
  const bits = floatToHalf(value);
  out[at] = bits & 0xff;
  out[at + 1] = bits >>> 8;
}

function readHalf(bytes: Uint8Array, at: number): number {
  return halfToFloat(bytes[at] | (bytes[at + 1] << 8));
}
