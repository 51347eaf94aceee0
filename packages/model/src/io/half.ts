/**
 * float16 / bfloat16 ↔ float32 conversion on raw little-endian bit patterns.
 * Decoding is exact (every half and bfloat16 value is a float32). Encoding rounds to
 * nearest, ties to even, like PyTorch and numpy, so a value that came from a half
 * (or bfloat16) encodes back to the very same bits: the round trip is bit-exact.
 * Node 20 has no Float16Array, hence the bit twiddling.
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** 65,536-entry table: half bits → float32 (256 KiB, built on first use). */
let halfTable: Float32Array | undefined;

function buildHalfTable(): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[bits] = mantissa === 0 ? sign * Infinity : NaN;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}

export function halfToFloat(bits: number): number {
  halfTable ??= buildHalfTable();
  return halfTable[bits & 0xffff];
}

/** float32 value → half bits, round to nearest even; overflow → ±Inf, NaN stays NaN. */
export function floatToHalf(value: number): number {
  scratch[0] = value;
  const x = scratchBits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  // Unbiased exponent re-biased for half (bias 15).
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the implicit-1 mantissa right, rounding to even.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const roundUp = remainder > midpoint || (remainder === midpoint && (half & 1) === 1);
    return sign | (half + (roundUp ? 1 : 0));
  }
  const half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  const roundUp = remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1);
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return sign | (half + (roundUp ? 1 : 0));
}

export function bfloat16ToFloat(bits: number): number {
  scratchBits[0] = (bits & 0xffff) << 16;
  return scratch[0];
}

/** float32 value → bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
export function floatToBfloat16(value: number): number {
  scratch[0] = value;
  const x = scratchBits[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Decodes `count` little-endian half values from `bytes` into `out`. */
export function decodeHalfArray(bytes: Uint8Array, out: Float32Array): void {
  halfTable ??= buildHalfTable();
  const table = halfTable;
  for (let index = 0; index < out.length; index++) out[index] = table[bytes[2 * index] | (bytes[2 * index + 1] << 8)];
}

export function decodeBfloat16Array(bytes: Uint8Array, out: Float32Array): void {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let index = 0; index < out.length; index++) outBits[index] = ((bytes[2 * index] | (bytes[2 * index + 1] << 8)) << 16) >>> 0;
}

export function encodeHalfArray(values: Float32Array, out: Uint8Array): void {
  for (let index = 0; index < values.length; index++) {
    const bits = floatToHalf(values[index]);
    out[2 * index] = bits & 0xff;
    out[2 * index + 1] = bits >>> 8;
  }
}

export function encodeBfloat16Array(values: Float32Array, out: Uint8Array): void {
  for (let index = 0; index < values.length; index++) {
    const bits = floatToBfloat16(values[index]);
    out[2 * index] = bits & 0xff;
    out[2 * index + 1] = bits >>> 8;
  }
}
