/**
 * ggml's quantized block layouts, as the GGUF writer stores them (ggml-common.h):
 *   Q8_0: 32 values → f16 scale d, 32 × int8 q;          x ≈ d · q        (34 bytes)
 *   Q4_0: 32 values → f16 scale d, 16 bytes of nibbles;  x ≈ d · (q − 8)  (18 bytes)
 *         byte j holds value j in its low nibble and value j + 16 in its high one.
 * Quantization follows ggml's quantize_row_*_ref in float32 arithmetic (Math.fround at
 * each step) so the bytes equal llama.cpp's own. Q8_0 is the encoder in q8-0.ts; Q4_0
 * lives here, beside the writer, until the quantizers are consolidated.
 */
import { floatToHalf, halfToFloat } from './half.js';
import { q8BlockBytes, q8BlockValues } from './q8-0.js';

export const q4BlockValues = 32;
export const q4BlockBytes = 2 + q4BlockValues / 2;

/** Bytes of `values` values stored in a block type (values a multiple of 32). */
export function blockByteLength(type: 'Q8_0' | 'Q4_0', values: number): number {
  return type === 'Q8_0' ? (values / q8BlockValues) * q8BlockBytes : (values / q4BlockValues) * q4BlockBytes;
}

/**
 * quantize_row_q4_0_ref: d = m / −8 where m is the first value of largest magnitude
 * (sign kept, so that value lands exactly on q = 0), q = min(15, trunc(x / d + 8.5)).
 */
export function quantizeQ4_0(values: Float32Array): Uint8Array {
  if (values.length % q4BlockValues !== 0) throw new Error(`Q4_0 needs a multiple of ${q4BlockValues} values, got ${values.length}`);
  const blocks = values.length / q4BlockValues;
  const out = new Uint8Array(blocks * q4BlockBytes);
  const half = q4BlockValues / 2;
  for (let block = 0; block < blocks; block++) {
    const start = block * q4BlockValues;
    let maxAbs = 0;
    let extreme = 0;
    for (let index = 0; index < q4BlockValues; index++) {
      const value = values[start + index];
      if (maxAbs < Math.abs(value)) {
        maxAbs = Math.abs(value);
        extreme = value;
      }
    }
    const scale = Math.fround(extreme / -8);
    const inverse = scale === 0 ? 0 : Math.fround(1 / scale);
    const scaleBits = floatToHalf(scale);
    const base = block * q4BlockBytes;
    out[base] = scaleBits & 0xff;
    out[base + 1] = scaleBits >>> 8;
    const nibble = (value: number) => Math.min(15, Math.trunc(Math.fround(Math.fround(value * inverse) + 8.5)));
    for (let index = 0; index < half; index++) {
      out[base + 2 + index] = nibble(values[start + index]) | (nibble(values[start + half + index]) << 4);
    }
  }
  return out;
}

export function dequantizeQ4_0(bytes: Uint8Array, values: number): Float32Array {
  if (bytes.length !== blockByteLength('Q4_0', values)) throw new Error(`Q4_0 data of ${bytes.length} bytes cannot hold ${values} values`);
  const out = new Float32Array(values);
  const half = q4BlockValues / 2;
  for (let block = 0; block < values / q4BlockValues; block++) {
    const base = block * q4BlockBytes;
    const scale = halfToFloat(bytes[base] | (bytes[base + 1] << 8));
    for (let index = 0; index < half; index++) {
      const byte = bytes[base + 2 + index];
      out[block * q4BlockValues + index] = scale * ((byte & 0x0f) - 8);
      out[block * q4BlockValues + half + index] = scale * ((byte >>> 4) - 8);
    }
  }
  return out;
}
