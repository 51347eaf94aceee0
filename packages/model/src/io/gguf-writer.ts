/**
 * GGUF v3 writer (the llama.cpp file format), little-endian:
 *   "GGUF" u32 version=3, u64 tensor_count, u64 kv_count,
 *   kv_count × (string key, u32 value_type, value),
 *   tensor_count × (string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset),
 *   zero padding to `alignment`, then tensor data, each tensor at an aligned offset.
 * Strings are u64 length + UTF-8 bytes. ne[0] is the fastest-varying dimension, so
 * a row-major [rows, columns] tensor is written as ne = [columns, rows].
 */
import { writeAll } from './file-chunks.js';
import { writeFileStreamAtomic } from './atomic-file.js';

export const ggufAlignment = 32;

/** ggml tensor types used here (ggml.h enum ggml_type). */
export const ggmlType = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof ggmlType;

/** GGUF metadata value types (gguf.h enum gguf_type). */
const valueType = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;

export type GgufValue =
  | { type: 'u32' | 'i32' | 'f32'; value: number }
  | { type: 'u64'; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: 'string'; value: string[] }
  | { type: 'array'; itemType: 'f32' | 'i32' | 'u32'; value: ArrayLike<number> };

export interface GgufTensor {
  name: string;
  /** Row-major shape, e.g. [rows, columns]. */
  shape: number[];
  type: GgmlTypeName;
  /** Encoded bytes; called once, when the tensor is written, so only one is in memory. */
  encode(): Uint8Array;
  byteLength: number;
}

/** Growable little-endian byte builder for the header. */
class ByteBuilder {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;
  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
  u32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeUInt32LE(value, this.length);
  }
  i32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeInt32LE(value, this.length);
  }
  f32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeFloatLE(value, this.length);
  }
  u64(value: bigint | number): void {
    this.reserve(8);
    this.length = this.buffer.writeBigUInt64LE(BigInt(value), this.length);
  }
  u8(value: number): void {
    this.reserve(1);
    this.length = this.buffer.writeUInt8(value, this.length);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.reserve(bytes.length);
    this.length += bytes.copy(this.buffer, this.length);
  }
  pad(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding);
    this.buffer.fill(0, this.length, this.length + padding);
    this.length += padding;
  }
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

function writeValue(out: ByteBuilder, value: GgufValue): void {
  out.u32(valueType[value.type]);
  switch (value.type) {
    case 'u32':
      return out.u32(value.value);
    case 'i32':
      return out.i32(value.value);
    case 'f32':
      return out.f32(value.value);
    case 'u64':
      return out.u64(value.value);
    case 'bool':
      return out.u8(value.value ? 1 : 0);
    case 'string':
      return out.string(value.value);
    case 'array': {
      out.u32(valueType[value.itemType]);
      out.u64(value.value.length);
      const items = value.value;
      for (let index = 0; index < items.length; index++) {
        if (value.itemType === 'string') out.string((items as string[])[index]);
        else if (value.itemType === 'f32') out.f32((items as ArrayLike<number>)[index]);
        else if (value.itemType === 'i32') out.i32((items as ArrayLike<number>)[index]);
        else out.u32((items as ArrayLike<number>)[index]);
      }
    }
  }
}

const align = (offset: number) => Math.ceil(offset / ggufAlignment) * ggufAlignment;

/** Builds the header (everything before the tensor data, padded). */
export function buildGgufHeader(metadata: [string, GgufValue][], tensors: GgufTensor[]): Uint8Array {
  const out = new ByteBuilder();
  out.u32(0x46554747); // "GGUF"
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    out.string(key);
    writeValue(out, value);
  }
  let offset = 0;
  for (const tensor of tensors) {
    out.string(tensor.name);
    out.u32(tensor.shape.length);
    for (const size of [...tensor.shape].reverse()) out.u64(size);
    out.u32(ggmlType[tensor.type]);
    out.u64(offset);
    offset = align(offset + tensor.byteLength);
  }
  out.pad(ggufAlignment);
  return out.bytes();
}

/** Streams a GGUF file atomically (temp + rename); tensors are encoded one at a time. */
export async function writeGguf(file: string, metadata: [string, GgufValue][], tensors: GgufTensor[]): Promise<number> {
  const header = buildGgufHeader(metadata, tensors);
  let total = header.length;
  await writeFileStreamAtomic(file, async (handle) => {
    await writeAll(handle, header);
    for (const tensor of tensors) {
      const bytes = tensor.encode();
      if (bytes.length !== tensor.byteLength) throw new Error(`gguf: tensor ${tensor.name} encoded to ${bytes.length} bytes, declared ${tensor.byteLength}`);
      await writeAll(handle, bytes);
      const padding = align(bytes.length) - bytes.length;
      if (padding > 0) await writeAll(handle, new Uint8Array(padding));
      total += bytes.length + padding;
    }
  });
  return total;
}
