/**
 * Reads safetensors without holding the file in one Buffer: the header is read
 * first, then each tensor's byte range with a positional read on a file handle.
 * A file of any size (past 2 GiB, past memory when only some tensors are wanted)
 * therefore loads; only the decoded float32 tensors are kept.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { decodeBfloat16Array, decodeHalfArray } from './half.js';
import { readExactly } from './file-chunks.js';
import { maxHeaderBytes, parseSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from './safetensors-header.js';
import { missingFileError, tensorError, weightFileError } from './errors.js';
import type { NamedTensor, WeightMap } from './types.js';

if (endianness() !== 'LE') throw new Error('chainlm weight I/O assumes a little-endian host (safetensors and GGUF are little-endian)');

export interface SafetensorsFile {
  header: SafetensorsHeader;
  /** Decodes one tensor to float32 (its stored dtype recorded). */
  readTensor(name: string): Promise<NamedTensor>;
  close(): Promise<void>;
}

export async function openSafetensors(file: string): Promise<SafetensorsFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingFileError(file, 'safetensors file', 'check the path');
    throw error;
  }
  try {
    const header = await readHeader(file, handle);
    const byName = new Map(header.entries.map((entry) => [entry.name, entry]));
    return {
      header,
      async readTensor(name) {
        const entry = byName.get(name);
        if (!entry) throw tensorError(file, name, 'not in this file', `the file has: ${[...byName.keys()].slice(0, 8).join(', ')}${byName.size > 8 ? ', …' : ''}`);
        return readEntry(file, handle, entry);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readHeader(file: string, handle: FileHandle): Promise<SafetensorsHeader> {
  const fileBytes = (await handle.stat()).size;
  const hint = 'this is not a safetensors file, or it is truncated';
  if (fileBytes < 8) throw weightFileError(file, `too short for a safetensors file (${fileBytes} bytes)`, hint);
  const prefix = new Uint8Array(8);
  await readExactly(handle, prefix, 0, () => file);
  const declared = Buffer.from(prefix).readBigUInt64LE(0);
  if (declared > BigInt(Math.min(maxHeaderBytes, fileBytes - 8))) {
    throw weightFileError(file, `header length ${declared} exceeds ${declared > BigInt(maxHeaderBytes) ? `the ${maxHeaderBytes}-byte limit` : `the file (${fileBytes} bytes)`}`, hint);
  }
  const headerBytes = Number(declared);
  const text = new Uint8Array(headerBytes);
  await readExactly(handle, text, 8, () => file);
  return parseSafetensorsHeader(file, new TextDecoder().decode(text), headerBytes, fileBytes);
}

async function readEntry(file: string, handle: FileHandle, entry: SafetensorsEntry): Promise<NamedTensor> {
  const elements = entry.shape.reduce((product, size) => product * size, 1);
  const data = new Float32Array(elements);
  const describe = () => `${file}: tensor "${entry.name}"`;
  if (entry.dtype === 'F32') {
    // Read straight into the result's memory: no staging copy for the common case.
    await readExactly(handle, new Uint8Array(data.buffer), entry.begin, describe);
  } else {
    const raw = new Uint8Array(entry.end - entry.begin);
    await readExactly(handle, raw, entry.begin, describe);
    if (entry.dtype === 'F16') decodeHalfArray(raw, data);
    else decodeBfloat16Array(raw, data);
  }
  return { shape: [...entry.shape], dtype: entry.dtype, data };
}

export interface ReadSafetensorsOptions {
  /** Load only these tensors (e.g. to inspect part of a huge file). Default all. */
  names?: Iterable<string>;
}

/** Loads a whole (or part of a) safetensors file into a WeightMap, in file order. */
export async function readSafetensors(file: string, options: ReadSafetensorsOptions = {}): Promise<WeightMap> {
  const reader = await openSafetensors(file);
  try {
    const weights: WeightMap = new Map();
    const names = options.names ? [...options.names] : reader.header.entries.map((entry) => entry.name);
    for (const name of names) weights.set(name, await reader.readTensor(name));
    return weights;
  } finally {
    await reader.close();
  }
}

/** Header only: names, dtypes, shapes, offsets, metadata. Cheap for any file size. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const reader = await openSafetensors(file);
  await reader.close();
  return reader.header;
}
