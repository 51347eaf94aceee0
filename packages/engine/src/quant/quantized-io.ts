/**
 * Saves and loads a QuantizedModel as two files in a folder:
 *  - quantized.json: format tag, bits, the model config, and one entry per tensor
 *    (byte offsets into the .bin; snake_case, as file formats are);
 *  - quantized.bin: the raw arrays, 4-byte aligned.
 * The .json is parsed with a strict schema; sizes are checked against the .bin.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '@chainlm/core';
import { validateModelConfig } from '@chainlm/model';
import { EngineError } from '../errors.js';
import type { QuantizedMatrix } from '@chainlm/model';
import { linearScheme } from './linear-quant.js';
import type { QuantizedModel } from './quantize-model.js';

const section = z.strictObject({ offset: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });
const entrySchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['quantized', 'dense']),
  shape: z.array(z.number().int().positive()),
  group_size: z.number().int().positive().optional(),
  data: section,
  scales: section.optional(),
  zeros: section.optional(),
  channel_scales: section.optional(),
});
const headerSchema = z.strictObject({
  format: z.literal('chainlm-quantized'),
  version: z.literal(1),
  bits: z.union([z.literal(4), z.literal(8)]),
  config: z.record(z.string(), z.unknown()),
  tensors: z.array(entrySchema),
});

export async function saveQuantized(dir: string, quantized: QuantizedModel): Promise<void> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const add = (array: ArrayBufferView) => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    const at = offset;
    parts.push(bytes);
    offset += bytes.length;
    const pad = (4 - (offset % 4)) % 4;
    if (pad) {
      parts.push(new Uint8Array(pad));
      offset += pad;
    }
    return { offset: at, bytes: bytes.length };
  };
  const tensors: z.infer<typeof entrySchema>[] = [];
  for (const [name, tensor] of quantized.dense) tensors.push({ name, kind: 'dense', shape: tensor.shape, data: add(tensor.data) });
  for (const [name, matrix] of quantized.matrices) {
    tensors.push({ name, kind: 'quantized', shape: [matrix.rows, matrix.columns], group_size: matrix.groupSize, data: add(matrix.codes), scales: add(matrix.scales), zeros: add(matrix.zeros), channel_scales: add(matrix.channelScales) });
  }
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    blob.set(part, at);
    at += part.length;
  }
  await writeFileAtomic(join(dir, 'quantized.bin'), blob);
  await writeFileAtomic(join(dir, 'quantized.json'), `${JSON.stringify({ format: 'chainlm-quantized', version: 1, bits: quantized.bits, config: quantized.config, tensors }, null, 1)}\n`);
}

export async function loadQuantized(dir: string): Promise<QuantizedModel> {
  const headerFile = join(dir, 'quantized.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(headerFile, 'utf8'));
  } catch (error) {
    throw new EngineError('engine-quant-invalid', `${headerFile}: cannot read (${(error as Error).message})`, 'point at a folder written by saveQuantized / `chainlm-model quantize`');
  }
  const header = headerSchema.safeParse(parsed);
  if (!header.success) {
    const issue = header.error.issues[0];
    throw new EngineError('engine-quant-invalid', `${headerFile}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, 'the file is not a chainlm quantized model (or a newer version); re-run quantize');
  }
  const blob = await readFile(join(dir, 'quantized.bin'));
  const buffer = blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength);
  const view = <T>(kind: new (buffer: ArrayBuffer, offset: number, length: number) => T, part: { offset: number; bytes: number } | undefined, width: number, name: string): T => {
    const where = part ?? { offset: 0, bytes: 0 };
    if (where.offset + where.bytes > buffer.byteLength) throw new EngineError('engine-quant-invalid', `${join(dir, 'quantized.bin')}: tensor "${name}" ends past the file (${where.offset + where.bytes} > ${buffer.byteLength} bytes)`, 'the .bin is truncated; re-run quantize');
    return new kind(buffer, where.offset, where.bytes / width);
  };
  const config = validateModelConfig(header.data.config, headerFile);
  const matrices = new Map<string, QuantizedMatrix>();
  const dense: QuantizedModel['dense'] = new Map();
  for (const entry of header.data.tensors) {
    if (entry.kind === 'dense') {
      dense.set(entry.name, { shape: entry.shape, dtype: 'F32', data: view(Float32Array, entry.data, 4, entry.name) });
      continue;
    }
    matrices.set(entry.name, {
      bits: header.data.bits,
      scheme: linearScheme(header.data.bits),
      rows: entry.shape[0],
      columns: entry.shape[1],
      groupSize: entry.group_size!,
      codes: view(Uint8Array, entry.data, 1, entry.name),
      scales: view(Float32Array, entry.scales, 4, entry.name),
      zeros: view(Uint8Array, entry.zeros, 1, entry.name),
      channelScales: view(Float32Array, entry.channel_scales, 4, entry.name),
    });
  }
  return { config, bits: header.data.bits, matrices, dense, reports: [] };
}
