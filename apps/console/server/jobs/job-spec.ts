/**
 * What a console job can be: one strict schema per kind. A job is a list of CLI
 * steps run one after another by the job runner (job-runner.ts); the step list is
 * built here from the spec, so the console runs exactly what a user would type.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Engine replicas are worker threads that each keep a core busy: more than the cores would only share them. */
export const maxReplicas = availableParallelism();

const safeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" and "-" (up to 100 characters, starting with a letter or digit)');

const inlineFile = z.strictObject({
  fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(txt|jsonl|json|csv|tsv)$/, 'a plain file name ending in .txt, .jsonl, .json, .csv or .tsv'),
  content: z.string().min(1, 'the pasted content is empty').max(50_000_000),
});

export const ingestSpec = z
  .strictObject({
    kind: z.literal('ingest'),
    dataset: safeName,
    /** Files or folders on the console's machine. */
    paths: z.array(z.string().min(1)).default([]),
    /** Or content pasted/uploaded in the browser, written into the job folder first. */
    inline: inlineFile.optional(),
    recordKind: z.enum(['text', 'instruction', 'chat', 'mcq', 'qa']).optional(),
    split: z.enum(['paragraph', 'line', 'file']).optional(),
    replace: z.boolean().default(false),
  })
  .refine((spec) => spec.paths.length > 0 || spec.inline !== undefined, { message: 'give paths or inline content', path: ['paths'] });

export const cleanSpec = z.strictObject({
  kind: z.literal('clean'),
  input: safeName,
  output: safeName,
  /** A cleaning recipe (YAML), see packages/data/README.md. */
  recipe: z.string().min(1),
  replace: z.boolean().default(false),
});

export const trainSpec = z
  .strictObject({
    kind: z.literal('train'),
    run: safeName.optional(),
    preset: z.enum(['tiny', 'small']).optional(),
    /** A chainlm-train YAML config (its own data). */
    yaml: z.string().min(1).optional(),
    /** With a preset: an ingested dataset name or a .txt/.jsonl/.json path. */
    data: z.string().min(1).optional(),
    maxSteps: z.number().int().positive().max(1_000_000).optional(),
    workers: z.number().int().positive().max(64).optional(),
    /** Export the newest checkpoint as an HF folder (models/<run>) when training ends. */
    exportModel: z.boolean().default(true),
  })
  .refine((spec) => (spec.preset === undefined) !== (spec.yaml === undefined), { message: 'give exactly one of preset or yaml', path: ['preset'] })
  .refine((spec) => spec.yaml !== undefined || spec.data !== undefined, { message: 'a preset run needs data (a dataset name or a file path)', path: ['data'] });

export const resumeSpec = z.strictObject({ kind: z.literal('resume'), run: safeName, exportModel: z.boolean().default(true) });

export const exportSpec = z.strictObject({ kind: z.literal('export'), run: safeName, merged: z.boolean().default(false) });

export const evalSpec = z
  .strictObject({
    kind: z.literal('eval'),
    /** A model folder, or an OpenAI-compatible URL (a deployment's). */
    model: z.string().min(1).optional(),
    datasets: z.array(z.string().regex(/^[a-z0-9_]+$/, 'a built-in dataset name such as arithmetic or gsm8k')).default([]),
    /** Or a whole chainlm-eval YAML config. */
    yaml: z.string().min(1).optional(),
    limit: z.number().int().positive().optional(),
    name: safeName.optional(),
  })
  .refine((spec) => spec.yaml !== undefined || (spec.model !== undefined && spec.datasets.length > 0), { message: 'give a model and datasets, or a yaml config', path: ['model'] });

export const serveSpec = z.strictObject({
  kind: z.literal('serve'),
  /** HF model folder. */
  model: z.string().min(1),
  /** Deployment name (the model name clients send); default: the folder name. */
  name: safeName.optional(),
  /** Port; default: a free one. */
  port: z.number().int().min(1024).max(65535).optional(),
  maxSeqs: z.number().int().positive().optional(),
  maxBatchTokens: z.number().int().positive().optional(),
  /** Weight-only quantization at load (chainlm-serve --quant). */
  quant: z.enum(['w8a16', 'w4a16']).optional(),
  /** Engines behind one address (chainlm-serve --replicas): 1 in the server thread, N > 1 worker threads, each with a copy of the weights, sharing the KV budget. */
  replicas: z
    .number()
    .int('a whole number of replicas')
    .min(1, 'at least 1 replica')
    .max(maxReplicas, `at most ${maxReplicas} replicas (one per CPU core of this machine)`)
    .default(1),
});

export const jobSpecSchema = z.union([ingestSpec, cleanSpec, trainSpec, resumeSpec, exportSpec, evalSpec, serveSpec]);

export type JobSpec = z.output<typeof jobSpecSchema>;
export type JobKind = JobSpec['kind'];
export const jobKinds = ['ingest', 'clean', 'train', 'resume', 'export', 'eval', 'serve'] as const satisfies readonly JobKind[];

export const cliNames = ['chainlm-data', 'chainlm-train', 'chainlm-eval', 'chainlm-serve'] as const;
export type CliName = (typeof cliNames)[number];

export interface JobStep {
  cli: CliName;
  args: string[];
  /** Shown in the log and the UI, e.g. "train". */
  label: string;
}
