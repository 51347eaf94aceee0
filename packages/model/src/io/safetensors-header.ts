/**
 * safetensors layout: [u64 LE headerBytes][JSON header, space-padded][tensor bytes].
 * The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]},
 * offsets relative to the first byte after the header, plus an optional
 * `__metadata__` map of strings. Everything here is validated before any tensor is
 * read, and every error names the file and tensor.
 */
import type { DType } from './types.js';
import { tensorError, weightFileError } from './errors.js';

export const dtypeBytes: Record<DType, number> = { F32: 4, F16: 2, BF16: 2 };

/** dtypes the format defines that this loader does not decode (named so the error can say so). */
const knownUnsupported = new Set(['F64', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64']);

/** Headers above this are not weights (HF's own reader refuses >100 MB too). */
export const maxHeaderBytes = 100 * 1024 * 1024;

export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** Absolute byte range in the file: [begin, end). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  file: string;
  fileBytes: number;
  /** Absolute offset of the first tensor byte (8 + header length). */
  dataStart: number;
  metadata: Record<string, string>;
  /** In file order (sorted by begin). */
  entries: SafetensorsEntry[];
}

const fixHint = 'the file is damaged or not a safetensors file: re-download or re-export it';

/** Parses and validates header JSON text; `headerBytes` is the declared header length. */
export function parseSafetensorsHeader(file: string, text: string, headerBytes: number, fileBytes: number): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw weightFileError(file, `header is not valid JSON (${(error as Error).message})`, fixHint);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw weightFileError(file, 'header must be a JSON object of tensor entries', fixHint);
  }
  const dataStart = 8 + headerBytes;
  const dataBytes = fileBytes - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      Object.assign(metadata, parseMetadata(file, raw));
      continue;
    }
    const entry = parseEntry(file, name, raw);
    if (entry.end > dataBytes) {
      throw tensorError(file, name, `data_offsets end ${entry.end} is past the end of the data (${dataBytes} bytes)`, 'the file is truncated: re-download or re-export it');
    }
    entries.push({ ...entry, begin: entry.begin + dataStart, end: entry.end + dataStart });
  }
  entries.sort((left, right) => left.begin - right.begin);
  for (let index = 1; index < entries.length; index++) {
    if (entries[index].begin < entries[index - 1].end) {
      throw tensorError(file, entries[index].name, `byte range overlaps tensor "${entries[index - 1].name}"`, fixHint);
    }
  }
  return { file, fileBytes, dataStart, metadata, entries };
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw weightFileError(file, '__metadata__ must be an object of strings', fixHint);
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw weightFileError(file, `__metadata__.${key} must be a string, got ${typeof value}`, fixHint);
  }
  return raw as Record<string, string>;
}

function parseEntry(file: string, name: string, raw: unknown): SafetensorsEntry {
  if (typeof raw !== 'object' || raw === null) throw tensorError(file, name, 'entry must be an object {dtype, shape, data_offsets}', fixHint);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string') throw tensorError(file, name, 'missing dtype', fixHint);
  if (!(dtype in dtypeBytes)) {
    const why = knownUnsupported.has(dtype) ? `dtype ${dtype} is not supported` : `unknown dtype "${dtype}"`;
    throw tensorError(file, name, `${why} (supported: F32, F16, BF16)`, 'convert the checkpoint to F32, F16 or BF16 first');
  }
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw tensorError(file, name, `shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`, fixHint);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0) || offsets[0] > offsets[1]) {
    throw tensorError(file, name, `data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`, fixHint);
  }
  const elements = (shape as number[]).reduce((product, size) => product * size, 1);
  const expected = elements * dtypeBytes[dtype as DType];
  if (offsets[1] - offsets[0] !== expected) {
    throw tensorError(file, name, `data_offsets span ${offsets[1] - offsets[0]} bytes but ${dtype}${JSON.stringify(shape)} needs ${expected}`, fixHint);
  }
  return { name, dtype: dtype as DType, shape: shape as number[], begin: offsets[0], end: offsets[1] };
}
