/**
 * Built-in dataset configs (OpenCompass's `--datasets` names), over the folder
 * layout of ../shared/datasets: DATA_DIR/{gsm8k,mmlu,cmmlu,arc,humaneval,
 * tinyshakespeare}/. `shots` overrides the number of in-context examples (0 =
 * zero-shot), which tiny models with short context windows need.
 */
import { join } from 'node:path';
import { validateConfig } from '@chainlm/core';
import { EvalError } from '../errors.js';
import { datasetConfigSchema, type DatasetConfig } from '../config/dataset-config.js';

export interface PresetOptions {
  dataDir?: string;
  shots?: number;
  /** Caps generated tokens of gen presets (tiny models, quick checks). */
  maxOutLen?: number;
}

const mcqPrompt = '{question}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\nAnswer:';
const letterCandidates = { A: ' A', B: ' B', C: ' C', D: ' D' };

function fewShot(shots: number) {
  return shots === 0 ? { type: 'zero-shot' } : { type: 'fixed', k: shots };
}

type PresetBuilder = (dataDir: string, shots: number | undefined) => unknown;

function mcq(abbr: string, loader: string, folder: string, mode: 'ppl' | 'gen'): PresetBuilder {
  return (dataDir, shots) => ({
    abbr,
    loader: { type: loader, path: join(dataDir, folder) },
    reader: { inputColumns: ['question', 'A', 'B', 'C', 'D'], outputColumn: 'answer', trainSplit: 'dev', testSplit: 'test' },
    infer: {
      promptTemplate: mode === 'ppl' ? { template: `{ice}${mcqPrompt}`, candidates: letterCandidates } : { template: `{ice}${mcqPrompt}` },
      iceTemplate: `${mcqPrompt} {answer}\n\n`,
      retriever: fewShot(shots ?? 5),
      inferencer: mode === 'ppl' ? { type: 'ppl' } : { type: 'gen', maxOutLen: 8, stop: ['\n'] },
    },
    eval: { evaluator: mode === 'ppl' ? { type: 'accuracy' } : { type: 'mcq' } },
  });
}

function arc(subset: 'easy' | 'challenge', mode: 'ppl' | 'gen'): PresetBuilder {
  return (dataDir) => ({
    abbr: `arc_${subset}${mode === 'gen' ? '_gen' : ''}`,
    loader: { type: 'arc', path: join(dataDir, 'arc'), subset },
    reader: { inputColumns: ['question'], outputColumn: 'answer' },
    infer:
      mode === 'ppl'
        ? { promptTemplate: { template: 'Question: {question}\nAnswer:', choicesColumn: 'choices' }, inferencer: { type: 'ppl' } }
        : { promptTemplate: { template: `${mcqPrompt}` }, inferencer: { type: 'gen', maxOutLen: 8, stop: ['\n'] } },
    eval: { evaluator: mode === 'ppl' ? { type: 'accuracy' } : { type: 'mcq' } },
  });
}

const presets: Record<string, PresetBuilder> = {
  gsm8k: (dataDir, shots) => ({
    abbr: 'gsm8k',
    loader: { type: 'gsm8k', path: join(dataDir, 'gsm8k') },
    reader: { inputColumns: ['question'], outputColumn: 'answer' },
    infer: {
      promptTemplate: { template: '{ice}Question: {question}\nAnswer:' },
      iceTemplate: 'Question: {question}\nAnswer: {answer}\n\n',
      retriever: fewShot(shots ?? 4),
      inferencer: { type: 'gen', maxOutLen: 256, stop: ['\n\nQuestion:', 'Question:'] },
    },
    eval: { evaluator: { type: 'gsm8k' } },
  }),
  mmlu: mcq('mmlu', 'mmlu', 'mmlu', 'ppl'),
  mmlu_gen: mcq('mmlu_gen', 'mmlu', 'mmlu', 'gen'),
  cmmlu: mcq('cmmlu', 'cmmlu', 'cmmlu', 'ppl'),
  cmmlu_gen: mcq('cmmlu_gen', 'cmmlu', 'cmmlu', 'gen'),
  arc_easy: arc('easy', 'ppl'),
  arc_challenge: arc('challenge', 'ppl'),
  arc_easy_gen: arc('easy', 'gen'),
  humaneval: (dataDir) => ({
    abbr: 'humaneval',
    loader: { type: 'humaneval', path: join(dataDir, 'humaneval') },
    reader: { inputColumns: ['prompt'], outputColumn: 'task_id' },
    infer: {
      promptTemplate: { template: '{prompt}' },
      inferencer: { type: 'gen', maxOutLen: 256, stop: ['\ndef ', '\nclass ', '\nif __name__', '\nprint(', '\n#'] },
    },
    eval: { evaluator: { type: 'humaneval', k: [1] }, predPostprocessor: { type: 'code' } },
  }),
  tinyshakespeare: (dataDir) => ({
    abbr: 'tinyshakespeare',
    loader: { type: 'text-corpus', path: join(dataDir, 'tinyshakespeare', 'input.txt'), chunkChars: 1024 },
    reader: { inputColumns: ['text'], outputColumn: 'text' },
    infer: { promptTemplate: { template: '{text}' }, inferencer: { type: 'll' } },
    eval: { evaluator: { type: 'perplexity' } },
  }),
  arithmetic: (_dataDir, shots) => ({
    abbr: 'arithmetic',
    loader: { type: 'arithmetic', seed: 0, trainSize: 1000, testSize: 100 },
    reader: { inputColumns: ['question'], outputColumn: 'answer' },
    infer: {
      promptTemplate: { template: '{ice}{question}' },
      iceTemplate: '{question}{answer}\n',
      retriever: fewShot(shots ?? 0),
      inferencer: { type: 'gen', maxOutLen: 8, stop: ['\n'] },
    },
    eval: { evaluator: { type: 'accuracy' }, predPostprocessor: { type: 'strip' } },
  }),
};

export const presetNames = Object.keys(presets).sort();

const needsNoData = new Set(['arithmetic']);

export function presetDataset(name: string, options: PresetOptions = {}): DatasetConfig {
  const build = presets[name];
  if (!build) {
    throw new EvalError('eval-registry-unknown', `unknown built-in dataset "${name}"`, `use one of: ${presetNames.join(', ')}`);
  }
  if (!options.dataDir && !needsNoData.has(name)) {
    throw new EvalError('eval-dataset-missing', `built-in dataset "${name}" needs a data folder`, 'pass --data-dir DIR (a folder with gsm8k/, mmlu/, arc/, humaneval/, ...) or set CHAINLM_EVAL_DATA_DIR');
  }
  const config = build(options.dataDir ?? '', options.shots) as { infer: { inferencer: { type: string; maxOutLen?: number } } };
  if (options.maxOutLen !== undefined && config.infer.inferencer.type === 'gen') {
    config.infer.inferencer.maxOutLen = Math.min(config.infer.inferencer.maxOutLen ?? options.maxOutLen, options.maxOutLen);
  }
  return validateConfig(config, datasetConfigSchema(), `built-in dataset ${name}`) as DatasetConfig;
}
