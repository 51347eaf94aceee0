/**
 * A dataset config in OpenCompass's vocabulary:
 *   reader  which columns are inputs, which is the answer, which splits to use;
 *   infer   prompt template (+ in-context-example template), retriever, inferencer;
 *   eval    evaluator and prediction/reference post-processors.
 * The component slots are unions of whatever is registered when the schema is
 * built, so unknown types and unknown option keys are rejected with file:line.
 * `promptHash` covers reader + infer + eval: change the prompt, get a new hash.
 */
import { stableHash } from '@chainlm/core';
import { z } from 'zod';
import '../builtins.js';
import { inferencers } from '../inferencers/inferencer.js';
import { evaluators } from '../evaluators/evaluator.js';
import { postprocessors } from '../postprocessors/postprocessor.js';
import { retrievers } from '../retrievers/retriever.js';
import { loaders } from '../datasets/loader.js';
import { abbrSchema } from '../models/model-specs.js';
import { positiveInt, unionSchema } from './component.js';

export function datasetConfigSchema() {
  return z.strictObject({
    abbr: abbrSchema,
    loader: unionSchema(loaders),
    reader: z.strictObject({
      inputColumns: z.array(z.string()).min(1),
      outputColumn: z.string(),
      /** Split the in-context examples come from. */
      trainSplit: z.string().default('train'),
      testSplit: z.string().default('test'),
    }),
    infer: z.strictObject({
      promptTemplate: z.strictObject({
        /** `{column}` placeholders; `{ice}` marks where examples go (else they come first). */
        template: z.string(),
        /** ppl/clp: label → continuation template, e.g. `{A: " A", B: " B"}`. */
        candidates: z.record(z.string(), z.string()).optional(),
        /** ppl/clp: an array column of choices; labels are A, B, C, ... */
        choicesColumn: z.string().optional(),
        /** How one choice of `choicesColumn` is continued after the prompt. */
        choiceTemplate: z.string().default(' {choice}'),
      }),
      /** One in-context example, rendered from a train row (answer included). */
      iceTemplate: z.string().optional(),
      retriever: unionSchema(retrievers).default({ type: 'zero-shot' }),
      inferencer: unionSchema(inferencers),
      /** Items per model call. */
      batchSize: positiveInt.default(8),
    }),
    eval: z.strictObject({
      evaluator: unionSchema(evaluators),
      predPostprocessor: unionSchema(postprocessors).optional(),
      referencePostprocessor: unionSchema(postprocessors).optional(),
    }),
  });
}

export type DatasetConfig = z.infer<ReturnType<typeof datasetConfigSchema>>;

/** 12 hex digits of the hash of the prompt-relevant config (reader, infer, eval). */
export function promptHash(dataset: Pick<DatasetConfig, 'reader' | 'infer' | 'eval'>): string {
  return stableHash({ reader: dataset.reader, infer: dataset.infer, eval: dataset.eval }).slice(0, 12);
}
