/**
 * Record-wise stages on queue workers, the wire format (one owner). A task is
 * one Parquet part of the input dataset; its work is the per-record half of a
 * stage — a clean recipe's batch functions and dedup keys (clean/batch-run.ts)
 * or tokenization (tokenize/encode-job.ts). The worker reads the part and
 * writes one outcome per batch of records to a staging file; the coordinator
 * reads them back in part order and does the in-order half itself (dedup
 * decisions, the report, packing), so the output is the local run's.
 *
 * Workers and coordinator must share a file system: tasks name the input part
 * and the staging file by absolute path.
 */
import { z } from 'zod';
import type { StepsSetup } from '../clean/recipe-steps.js';
import type { RecordKind } from '../records/kinds.js';
import type { EncoderSetup } from '../tokenize/encode-job.js';

const stepsSetupSchema = z.strictObject({
  kind: z.string(),
  recipe: z.looseObject({ name: z.string().optional(), operators: z.array(z.looseObject({ op: z.string() })) }),
  baseDir: z.string(),
});

const encoderSetupSchema = z.strictObject({ tokenizerPath: z.string(), chatTemplate: z.string().nullable(), addBos: z.boolean() });

export const partJobSchema = z.discriminatedUnion('stage', [
  z.strictObject({ stage: z.literal('clean'), part: z.string(), staged: z.string(), setup: stepsSetupSchema }),
  z.strictObject({ stage: z.literal('encode'), part: z.string(), staged: z.string(), setup: encoderSetupSchema, recordKind: z.string() }),
]);

/** As sent. A worker parses with partJobSchema, then re-validates the recipe (parseRecipe). */
export type PartJob =
  | { stage: 'clean'; part: string; staged: string; setup: StepsSetup }
  | { stage: 'encode'; part: string; staged: string; setup: EncoderSetup; recordKind: RecordKind };

export interface PartResult {
  batches: number;
  records: number;
}
