/**
 * Writes safetensors: header JSON padded with spaces to a multiple of 8 bytes (as
 * the reference writer does, so tensor data stays 8-aligned), then tensors in the
 * order given, streamed one at a time into a temp file that is renamed into place.
 */
import { dtypeBytes } from './safetensors-header.js';
import { encodeBfloat16Array, encodeHalfArray } from './half.js';
import { bytesOf, writeAll } from './file-chunks.js';
import { writeFileStreamAtomic } from './atomic-file.js';
import { tensorError } from './errors.js';
import type { DType, NamedTensor, WeightMap } from './types.js';

export interface WriteSafetensorsOptions {
  /** Store every tensor as this dtype; default: each tensor's own `dtype`. */
  dtype?: DType;
  metadata?: Record<string, string>;
}

/** Stored size in bytes of a tensor as `dtype`. */
export function storedBytes(tensor: NamedTensor, dtype: DType = tensor.dtype): number {
  return tensor.data.length * dtypeBytes[dtype];
}

/** Encodes a tensor's float32 values as `dtype` little-endian bytes. */
export function encodeTensor(tensor: NamedTensor, dtype: DType): Uint8Array {
  if (dtype === 'F32') return bytesOf(tensor.data);
  const out = new Uint8Array(tensor.data.length * 2);
  if (dtype === 'F16') encodeHalfArray(tensor.data, out);
  else encodeBfloat16Array(tensor.data, out);
  return out;
}

export function buildSafetensorsHeader(file: string, weights: WeightMap, options: WriteSafetensorsOptions): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata && Object.keys(options.metadata).length > 0) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const [name, tensor] of weights) {
    const elements = tensor.shape.reduce((product, size) => product * size, 1);
    if (elements !== tensor.data.length) {
      throw tensorError(file, name, `shape ${JSON.stringify(tensor.shape)} holds ${elements} values but data has ${tensor.data.length}`, 'fix the tensor shape before saving');
    }
    const dtype = options.dtype ?? tensor.dtype;
    const bytes = storedBytes(tensor, dtype);
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json);
  const text = new TextEncoder().encode(json + ' '.repeat(Math.ceil(jsonBytes / 8) * 8 - jsonBytes));
  const out = new Uint8Array(8 + text.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

export async function writeSafetensors(file: string, weights: WeightMap, options: WriteSafetensorsOptions = {}): Promise<void> {
  const header = buildSafetensorsHeader(file, weights, options);
  await writeFileStreamAtomic(file, async (handle) => {
    await writeAll(handle, header);
    for (const tensor of weights.values()) await writeAll(handle, encodeTensor(tensor, options.dtype ?? tensor.dtype));
  });
}
