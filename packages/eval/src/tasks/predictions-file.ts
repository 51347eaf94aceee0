/**
 * The predictions file of one inference task, rewritten atomically (temp file +
 * rename) every N items, so a killed run leaves the last complete save behind
 * and a re-run resumes from it. A file written for another prompt hash or
 * another shard range is ignored (its predictions would not be comparable).
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@chainlm/core';
import { z } from 'zod';
import type { PredictionRecord } from '../types.js';

const fileSchema = z.object({
  version: z.literal(1),
  task: z.string(),
  promptHash: z.string(),
  start: z.number(),
  end: z.number(),
  complete: z.boolean(),
  records: z.array(z.looseObject({ index: z.number(), prompt: z.string() })),
});

export interface PredictionsHeader {
  task: string;
  promptHash: string;
  start: number;
  end: number;
}

/** Saved records of a matching file, by index; empty when absent or stale. */
export function readPredictions(file: string, header: PredictionsHeader): Map<number, PredictionRecord> {
  if (!existsSync(file)) return new Map();
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return new Map();
  }
  if (parsed.promptHash !== header.promptHash || parsed.start !== header.start || parsed.end !== header.end) return new Map();
  return new Map(parsed.records.map((record) => [record.index, record as unknown as PredictionRecord]));
}

export async function writePredictions(file: string, header: PredictionsHeader, records: Map<number, PredictionRecord>): Promise<void> {
  const sorted = [...records.values()].sort((a, b) => a.index - b.index);
  const body = { version: 1, ...header, complete: sorted.length === header.end - header.start, records: sorted };
  await writeFileAtomic(file, `${JSON.stringify(body)}\n`);
}
