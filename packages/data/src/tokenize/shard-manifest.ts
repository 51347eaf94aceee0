/**
 * shards.json of a tokenized dataset: how its Arrow IPC shards were made and what
 * they hold. Read by `openShards` (the trainer) and `stats`.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { dataErrors } from '../errors.js';

const splitSchema = z.strictObject({
  files: z.array(z.strictObject({ file: z.string(), rows: z.number().int(), tokens: z.number().int() })),
  rows: z.number().int(),
  /** Non-padding tokens. */
  tokens: z.number().int(),
  documents: z.number().int(),
  truncated: z.number().int(),
  /** Records that could not be rendered (e.g. a chat template rejecting the role order). */
  skipped: z.number().int(),
});

export const shardManifestSchema = z.strictObject({
  formatVersion: z.literal(1),
  source: z.string(),
  mode: z.enum(['pretrain', 'sft']),
  /** Tokens per row, the shifted target included: PackedRows' rowWidth (the name is kept: it is the file format). */
  seqLen: z.number().int().positive(),
  rows: z.number().int(),
  tokens: z.number().int(),
  tokenizer: z.strictObject({ path: z.string(), sha256: z.string(), eosId: z.number().int(), bosId: z.number().int().nullable(), padId: z.number().int() }),
  chatTemplate: z.string().nullable(),
  addBos: z.boolean(),
  validationFraction: z.number(),
  splits: z.strictObject({ train: splitSchema, validation: splitSchema }),
  columns: z.array(z.strictObject({ name: z.string(), type: z.string() })),
});

export type ShardManifest = z.infer<typeof shardManifestSchema>;
export type SplitName = keyof ShardManifest['splits'];

export const shardManifestFile = 'shards.json';

export async function readShardManifest(folder: string): Promise<ShardManifest> {
  const file = join(folder, shardManifestFile);
  if (!existsSync(file)) throw dataErrors.shardsMissing(folder);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw dataErrors.manifestInvalid(file, (error as Error).message);
  }
  const parsed = shardManifestSchema.safeParse(value);
  if (!parsed.success) throw dataErrors.manifestInvalid(file, `${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}
