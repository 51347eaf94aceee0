/**
 * Group-wise weight quantization: the one quantizer behind every quantized weight
 * format in chainlm — the engine's W8A16/W4A16 (with AWQ channel scales), QLoRA's
 * frozen base in train, and GGUF's Q8_0/Q4_0 blocks (ggml-blocks.ts repacks these codes).
 *
 * A row-major matrix [rows, columns] is cut along each row into groups of `groupSize`
 * values (a row's last group may be shorter); each group has one float32 scale s.
 *   symmetric:  q = round(w / s) ∈ [−qmax, qmax], s = max|w| / qmax (qmax 127 or 7);  w ≈ q · s
 *   asymmetric: q = round(w / s) + z ∈ [0, 2^bits − 1], s = (max − min) / (2^bits − 1),
 *               z = round(−min / s);                                                  w ≈ (q − z) · s
 * A group whose scale would be 0 stores s = 1 (its codes are then 0, or z, and it
 * dequantizes to 0, or to the group's value rounded, as before the consolidation).
 *
 * Arithmetic ('rounding'):
 *   'nearest': float64, q = Math.round(w / s) — the engine's and QLoRA's rule.
 *   'ggml':    ggml's quantize_row_q8_0_ref / q4_0_ref in float32 (Math.fround at each
 *              step) so the bytes equal llama.cpp's own; symmetric only. int8: s = max|w|/127,
 *              q = roundf(w · (1/s)), halves away from zero. int4 (Q4_0): s = m / −8 where
 *              m is the first value of largest magnitude (sign kept), stored code
 *              min(15, trunc(w · (1/s) + 8.5)), i.e. q ∈ [−8, 7].
 *
 * Codes: int8 one byte per value (symmetric: two's complement); int4 two values per
 * byte over the flat row-major index, low nibble first; symmetric int4 stores q + 8.
 */
export type QuantBits = 4 | 8;
export type QuantScheme = 'symmetric' | 'asymmetric';
export type QuantRounding = 'nearest' | 'ggml';

export interface QuantizeOptions {
  /** Default 'symmetric'. */
  scheme?: QuantScheme;
  /** AWQ per-input-column multipliers [columns]: applied before quantizing, divided out when dequantizing. */
  channelScales?: Float32Array;
  /** Default 'nearest'. */
  rounding?: QuantRounding;
}

export interface QuantizedMatrix {
  bits: QuantBits;
  scheme: QuantScheme;
  rows: number;
  columns: number;
  groupSize: number;
  /** See the layout above. */
  codes: Uint8Array;
  /** [rows, ceil(columns / groupSize)] */
  scales: Float32Array;
  /** Asymmetric zero points [rows, ceil(columns / groupSize)]; empty when symmetric. */
  zeros: Uint8Array;
  /** AWQ per-input-column scales [columns]; empty when none. */
  channelScales: Float32Array;
}

/** Bytes held by the quantized form (codes, scales, zero points, channel scales). */
export function quantizedBytes(matrix: QuantizedMatrix): number {
  return matrix.codes.byteLength + matrix.scales.byteLength + matrix.zeros.byteLength + matrix.channelScales.byteLength;
}

export function quantizeMatrix(values: Float32Array, rows: number, columns: number, bits: QuantBits, groupSize: number, options: QuantizeOptions = {}): QuantizedMatrix {
  const { scheme = 'symmetric', channelScales, rounding = 'nearest' } = options;
  if (values.length !== rows * columns) throw new RangeError(`quantizeMatrix: ${values.length} values for [${rows}, ${columns}]`);
  if (bits !== 4 && bits !== 8) throw new RangeError(`quantizeMatrix: bits must be 4 or 8, got ${bits}`);
  if (!(Number.isInteger(groupSize) && groupSize >= 1)) throw new RangeError(`quantizeMatrix: groupSize must be a positive integer, got ${groupSize}`);
  if (rounding === 'ggml' && scheme !== 'symmetric') throw new RangeError(`quantizeMatrix: 'ggml' rounding is symmetric only (Q8_0/Q4_0), got scheme '${scheme}'`);
  if (channelScales && channelScales.length !== columns) throw new RangeError(`quantizeMatrix: ${channelScales.length} channel scales for ${columns} columns`);
  const groupsPerRow = Math.ceil(columns / groupSize);
  const scales = new Float32Array(rows * groupsPerRow);
  const zeros = new Uint8Array(scheme === 'asymmetric' ? rows * groupsPerRow : 0);
  const codes = new Uint8Array(bits === 8 ? rows * columns : Math.ceil((rows * columns) / 2));
  const mode: Mode = rounding === 'ggml' ? (bits === 8 ? 'ggml-q8' : 'ggml-q4') : scheme;
  const qmax = scheme === 'asymmetric' ? 2 ** bits - 1 : bits === 8 ? 127 : 7;
  const offset = scheme === 'symmetric' && bits === 4 ? 8 : 0;
  // One pass per group for the range, one for the codes; loops are specialised by mode
  // (QLoRA re-quantizes per load, AWQ per grid step: closures here cost 3×).
  for (let row = 0; row < rows; row++) {
    const rowStart = row * columns;
    for (let group = 0; group < groupsPerRow; group++) {
      const start = rowStart + group * groupSize;
      const end = rowStart + Math.min(columns, (group + 1) * groupSize);
      let min = Infinity;
      let max = -Infinity;
      let absMax = 0;
      let extreme = 0; // the first value of largest magnitude, sign kept (Q4_0)
      for (let index = start; index < end; index++) {
        // float64 products, as the engine's AWQ path always computed them.
        const v = channelScales ? values[index] * channelScales[index - rowStart] : values[index];
        if (v < min) min = v;
        if (v > max) max = v;
        if (Math.abs(v) > absMax) {
          absMax = Math.abs(v);
          extreme = v;
        }
      }
      const at = row * groupsPerRow + group;
      let scale: number;
      let zero = 0;
      let inverse = 0;
      if (mode === 'symmetric') scale = absMax / qmax || 1;
      else if (mode === 'asymmetric') {
        scale = (max - min) / qmax || 1;
        zero = clamp(Math.round(-min / scale), 0, qmax);
        zeros[at] = zero;
      } else {
        // ggml: Q8_0 d = max|x| / 127; Q4_0 d = extreme / −8, so the extreme lands on q = −8.
        scale = Math.fround(mode === 'ggml-q8' ? absMax / 127 : extreme / -8);
        inverse = scale === 0 ? 0 : Math.fround(1 / scale);
      }
      scales[at] = scale;
      for (let index = start; index < end; index++) {
        const v = channelScales ? values[index] * channelScales[index - rowStart] : values[index];
        let q: number;
        if (mode === 'symmetric') q = clamp(Math.round(v / scale), -qmax, qmax) + offset;
        else if (mode === 'asymmetric') q = clamp(Math.round(v / scale) + zero, 0, qmax);
        else if (mode === 'ggml-q8') {
          const scaled = Math.fround(v * inverse);
          // roundf: halves away from zero (Math.round rounds −2.5 to −2).
          q = Math.sign(scaled) * Math.round(Math.abs(scaled));
        } else q = Math.min(15, Math.trunc(Math.fround(Math.fround(v * inverse) + 8.5)));
        if (bits === 8) codes[index] = q & 0xff;
        else codes[index >> 1] |= index & 1 ? q << 4 : q;
      }
    }
  }
  return { bits, scheme, rows, columns, groupSize, codes, scales, zeros, channelScales: channelScales ?? new Float32Array(0) };
}

type Mode = QuantScheme | 'ggml-q8' | 'ggml-q4';

/** Dequantizes into `out` (the caller may allocate it once and reuse it per forward). */
export function dequantizeMatrix(matrix: QuantizedMatrix, out: Float32Array<ArrayBuffer> = new Float32Array(matrix.rows * matrix.columns)): Float32Array<ArrayBuffer> {
  const { rows, columns, groupSize, bits, scheme, codes, scales, zeros, channelScales } = matrix;
  const groupsPerRow = Math.ceil(columns / groupSize);
  const asymmetric = scheme === 'asymmetric';
  const offset = !asymmetric && bits === 4 ? 8 : 0;
  const hasChannelScales = channelScales.length > 0;
  // QLoRA calls this per forward: scale and zero hoisted per group, one branch per mode.
  for (let row = 0; row < rows; row++) {
    const rowStart = row * columns;
    for (let group = 0; group < groupsPerRow; group++) {
      const scale = scales[row * groupsPerRow + group];
      const zero = asymmetric ? zeros[row * groupsPerRow + group] : offset;
      const first = group * groupSize;
      const end = rowStart + Math.min(columns, first + groupSize);
      for (let index = rowStart + first; index < end; index++) {
        let q: number;
        if (bits === 4) q = ((index & 1 ? codes[index >> 1] >> 4 : codes[index >> 1]) & 0x0f) - zero;
        else q = asymmetric ? codes[index] - zero : (codes[index] << 24) >> 24;
        // One float64 expression, rounded to float32 once (as before the consolidation).
        out[index] = hasChannelScales ? (q * scale) / channelScales[index - rowStart] : q * scale;
      }
    }
  }
  return out;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
