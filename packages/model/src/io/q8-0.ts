/**
 * GGML Q8_0: blocks of 32 values stored as one float16 scale d and 32 int8 q, so
 * x ≈ d · q (34 bytes per 32 values, 8.5 bits/weight). Quantization follows ggml's
 * quantize_row_q8_0_ref in float32 arithmetic (Math.fround at each step): d = max|x|/127,
 * q = roundf(x / d) with ties away from zero, so the bytes match llama.cpp's own.
 */
import { floatToHalf, halfToFloat } from './half.js';

export const q8BlockValues = 32;
export const q8BlockBytes = 34;

export function q8ByteLength(values: number): number {
  return (values / q8BlockValues) * q8BlockBytes;
}

export function quantizeQ8_0(values: Float32Array): Uint8Array {
  if (values.length % q8BlockValues !== 0) throw new Error(`Q8_0 needs a multiple of ${q8BlockValues} values, got ${values.length}`);
  const blocks = values.length / q8BlockValues;
  const out = new Uint8Array(blocks * q8BlockBytes);
  const signed = new Int8Array(out.buffer);
  for (let block = 0; block < blocks; block++) {
    const start = block * q8BlockValues;
    let maxAbs = 0;
    for (let index = 0; index < q8BlockValues; index++) maxAbs = Math.max(maxAbs, Math.abs(values[start + index]));
    const scale = Math.fround(maxAbs / 127);
    const inverse = scale === 0 ? 0 : Math.fround(1 / scale);
    const half = floatToHalf(scale);
    const base = block * q8BlockBytes;
    out[base] = half & 0xff;
    out[base + 1] = half >>> 8;
    for (let index = 0; index < q8BlockValues; index++) {
      const scaled = Math.fround(values[start + index] * inverse);
      // roundf: halves away from zero (Math.round rounds -2.5 to -2).
      signed[base + 2 + index] = Math.sign(scaled) * Math.round(Math.abs(scaled));
    }
  }
  return out;
}

export function dequantizeQ8_0(bytes: Uint8Array, values: number): Float32Array {
  if (bytes.length !== q8ByteLength(values)) throw new Error(`Q8_0 data of ${bytes.length} bytes cannot hold ${values} values`);
  const out = new Float32Array(values);
  const signed = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let block = 0; block < values / q8BlockValues; block++) {
    const base = block * q8BlockBytes;
    const scale = halfToFloat(bytes[base] | (bytes[base + 1] << 8));
    for (let index = 0; index < q8BlockValues; index++) out[block * q8BlockValues + index] = scale * signed[base + 2 + index];
  }
  return out;
}
