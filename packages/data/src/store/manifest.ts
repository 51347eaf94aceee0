/**
 * manifest.json, one per dataset folder: what the dataset is (kind, columns), how
 * many records it holds, where every record came from (sources with sha256 and their
 * read/ok/quarantined counts), which Parquet parts hold it, and what it was derived from.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { dataErrors } from '../errors.js';
import { recordKinds } from '../records/kinds.js';

export const datasetKinds = [...recordKinds, 'tokenized'] as const;
export type DatasetKind = (typeof datasetKinds)[number];

const countsSchema = z.strictObject({
  read: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  quarantined: z.number().int().nonnegative(),
});

const sourceSchema = z.strictObject({
  path: z.string(),
  sha256: z.string(),
  bytes: z.number().int().nonnegative(),
  format: z.string(),
  unit: z.string(),
  read: z.number().int().nonnegative(),
  ok: z.number().int().nonnegative(),
  quarantined: z.number().int().nonnegative(),
  part: z.string(),
});

export const manifestSchema = z.strictObject({
  formatVersion: z.literal(1),
  name: z.string(),
  kind: z.enum(datasetKinds),
  createdAt: z.string(),
  updatedAt: z.string(),
  columns: z.array(z.strictObject({ name: z.string(), type: z.string() })),
  counts: countsSchema,
  sources: z.array(sourceSchema),
  /** Parquet files of records and of quarantined input, relative to the folder. */
  parts: z.array(z.string()),
  quarantineParts: z.array(z.string()),
  /** Names of the datasets this one was made from (clean, dedup, tokenize). */
  derivedFrom: z.array(z.string()),
  /** How it was derived: the recipe, the tokenizer, … */
  derivation: z.record(z.string(), z.unknown()).optional(),
});

export type DatasetManifest = z.infer<typeof manifestSchema>;
export type SourceEntry = z.infer<typeof sourceSchema>;

export const manifestFile = 'manifest.json';

export async function readManifestFile(folder: string): Promise<DatasetManifest> {
  const file = join(folder, manifestFile);
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw dataErrors.manifestInvalid(file, (error as Error).message);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw dataErrors.manifestInvalid(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
