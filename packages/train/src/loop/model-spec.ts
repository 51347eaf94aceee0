/**
 * The replica spec of a run: which model to build (HF folder or preset from scratch,
 * with the tokenizer's vocabulary) and how to train it. Written to the run folder as
 * spec.json, so resume, merge and export rebuild the same model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '@chainlm/core';
import { parseHfConfig, presetConfig, readHfFolderMeta, type ModelConfig } from '@chainlm/model';
import type { TrainConfig } from '../config/schema.js';
import { trainError, trainErrorCodes } from '../errors.js';
import type { ReplicaSpec } from './replica.js';

export interface RunSpec extends ReplicaSpec {
  tokenizerPath: string;
}

/** The base model's tokenizer, when fine-tuning an HF folder that has one. */
export async function baseTokenizerPath(model: TrainConfig['model']): Promise<string | undefined> {
  if (model.path === undefined) return undefined;
  return (await readHfFolderMeta(resolve(model.path))).tokenizerPath;
}

export async function modelConfigFor(config: TrainConfig, vocabSize: number): Promise<ModelConfig> {
  if (config.model.path !== undefined) {
    const meta = await readHfFolderMeta(resolve(config.model.path));
    const modelConfig = parseHfConfig(meta.configJson, join(config.model.path, 'config.json'));
    if (modelConfig.vocabSize < vocabSize) {
      throw trainError(trainErrorCodes.modelMissing, `the tokenizer has ${vocabSize} tokens but the model ${config.model.path} only ${modelConfig.vocabSize}`, 'train with the model\'s own tokenizer (leave data.tokenizer unset)', 2);
    }
    return modelConfig;
  }
  const { shape, size, architecture } = config.model;
  if (config.model.vocabSize !== undefined && config.model.vocabSize < vocabSize) {
    throw trainError(trainErrorCodes.modelMissing, `model.vocabSize ${config.model.vocabSize} is smaller than the tokenizer's ${vocabSize} tokens`, 'leave model.vocabSize unset (it defaults to the tokenizer\'s) or raise it', 2);
  }
  const preset = presetConfig(size!);
  return presetConfig(size!, {
    architecture,
    vocabSize: config.model.vocabSize ?? vocabSize,
    maxPositionEmbeddings: config.model.maxSeqLen ?? Math.max(preset.maxPositionEmbeddings, config.data.seqLen),
    ...shape,
    ...(shape.numHeads !== undefined && shape.numKvHeads === undefined ? { numKvHeads: shape.numHeads } : {}),
  });
}

export async function writeRunSpec(runDir: string, spec: RunSpec): Promise<void> {
  await writeJsonAtomic(join(runDir, 'spec.json'), spec);
}

export function readRunSpec(runDir: string): RunSpec {
  const path = join(runDir, 'spec.json');
  if (!existsSync(path)) throw trainError(trainErrorCodes.runNotFound, `${path} is missing: the run never got past its setup`, 'start a new run with `chainlm-train run CONFIG`', 2);
  return JSON.parse(readFileSync(path, 'utf8')) as RunSpec;
}
