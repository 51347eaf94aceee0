/** Stage kinds over @chainlm/data: ingest, clean, tokenize. */
import { isAbsolute, resolve } from 'node:path';
import { sha256File, stableHash, type ChainlmHome } from '@chainlm/core';
import { cleanDataset, datasetArtifactId, datasetExists, datasetFolder, ingest, parseRecipe, recordKinds, tokenizeDataset, type Recipe } from '@chainlm/data';
import { z } from 'zod';
import type { StageKind } from '../stage-kind.js';
import { stageParams } from './params.js';

const datasetName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i);
const datasetStillThere = (outputs: Record<string, unknown>, home: ChainlmHome) => typeof outputs.dataset === 'string' && datasetExists(home, outputs.dataset);

const ingestSchema = z.strictObject({
  dataset: datasetName,
  files: z.array(z.string()).min(1),
  kind: z.enum(recordKinds).optional(),
  split: z.enum(['line', 'paragraph', 'file']).optional(),
});

export const ingestStage: StageKind = {
  name: 'ingest',
  description: 'ingest files (JSONL, JSON, CSV, Parquet, Arrow, text) into a dataset',
  version: 1,
  code: ['@chainlm/data'],
  async fingerprint(params) {
    const files = Array.isArray(params.files) ? params.files.map(String) : [];
    return stableHash(await Promise.all(files.map((file) => sha256File(resolve(file)).catch(() => `missing:${file}`))));
  },
  async run(params, context) {
    const options = stageParams(ingestSchema, params, 'ingest');
    const result = await ingest({
      home: context.home,
      dataset: options.dataset,
      paths: options.files.map((file) => (isAbsolute(file) ? file : resolve(file))),
      kind: options.kind,
      split: options.split,
      replace: true,
      events: context.events,
    });
    return {
      outputs: { dataset: result.dataset, kind: result.kind, records: result.total.records },
      artifacts: [datasetArtifactId(result.dataset)],
      summary: { read: result.read, ok: result.ok, quarantined: result.quarantined },
    };
  },
  stillValid: datasetStillThere,
};

const cleanSchema = z.strictObject({
  input: datasetName,
  output: datasetName,
  /** The recipe's operator list, inline (the same shape as a recipe file's `operators`). */
  operators: z.array(z.record(z.string(), z.unknown())).min(1),
});

export const cleanStage: StageKind = {
  name: 'clean',
  description: 'run a cleaning recipe (normalise, filter, redact, deduplicate) over a dataset',
  version: 1,
  code: ['@chainlm/data'],
  async run(params, context) {
    const options = stageParams(cleanSchema, params, 'clean');
    const recipe: Recipe = parseRecipe({ operators: options.operators }, `pipeline ${context.pipeline} stage ${context.stage}`);
    const report = await cleanDataset({ home: context.home, input: options.input, output: options.output, recipe, replace: true, events: context.events });
    return {
      outputs: { dataset: options.output },
      artifacts: [datasetArtifactId(options.output)],
      summary: { read: report.read, kept: report.kept, dropped: report.dropped },
    };
  },
  stillValid: datasetStillThere,
};

const tokenizeSchema = z.strictObject({
  input: datasetName,
  output: datasetName,
  tokenizer: z.string(),
  seqLen: z.number().int().positive(),
  validationFraction: z.number().min(0).max(0.5).default(0.02),
  chatTemplate: z.string().optional(),
});

export const tokenizeStage: StageKind = {
  name: 'tokenize',
  description: 'tokenize and pack a dataset into Arrow shards (pretraining rows or SFT with loss masks)',
  version: 1,
  code: ['@chainlm/data'],
  async run(params, context) {
    const options = stageParams(tokenizeSchema, params, 'tokenize');
    const manifest = await tokenizeDataset({
      home: context.home,
      input: options.input,
      output: options.output,
      tokenizer: options.tokenizer,
      seqLen: options.seqLen,
      validationFraction: options.validationFraction,
      chatTemplate: options.chatTemplate,
      replace: true,
      events: context.events,
    });
    return {
      outputs: { dataset: options.output, path: datasetFolder(context.home, options.output), mode: manifest.mode, tokens: manifest.tokens, seqLen: manifest.seqLen },
      artifacts: [datasetArtifactId(options.output)],
      summary: { rows: manifest.rows, tokens: manifest.tokens },
    };
  },
  stillValid: datasetStillThere,
};
