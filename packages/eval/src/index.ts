/**
 * @chainlm/eval — OpenCompass-style evaluation: dataset configs (reader, prompt
 * template, retriever, inferencer, evaluator), models over HTTP or in-process,
 * partitioned resumable runs, summary tables and run comparison.
 */
import './builtins.js';

export { EvalError, type EvalErrorCode } from './errors.js';
export { NamedRegistry } from './registry.js';
export type { Row, DatasetSplits, PredictionRecord, EvalDetail, EvalResult, SummaryRow } from './types.js';
export { unionSchema, createComponent, type ComponentSpec } from './config/component.js';
export { datasetConfigSchema, promptHash, type DatasetConfig } from './config/dataset-config.js';
export { runConfigSchema, loadRunConfig, buildRunConfig, modelAbbr, type RunConfig, type RunConfigInput } from './config/run-config.js';
export { renderTemplate, templateColumns } from './prompt/template.js';
export { retrievers, rowText, type Retriever, type RetrieverContext, type RetrieverSpec } from './retrievers/retriever.js';
export { inferencers, argmaxFirst, type Inferencer, type InferItem, type Candidate, type InferencerSpec } from './inferencers/inferencer.js';
export { evaluators, type Evaluator, type EvalSample, type EvaluatorSpec } from './evaluators/evaluator.js';
export { normaliseAnswer } from './evaluators/match-evaluators.js';
export { bleuStats, bleuFromStats } from './evaluators/bleu.js';
export { rougeL, lcsLength } from './evaluators/rouge.js';
export { passAtK } from './evaluators/pass-at-k.js';
export { runPythonSandboxed, type SandboxOptions, type SandboxResult } from './evaluators/python-sandbox.js';
export { postprocessors, type Postprocess, type PostprocessorSpec } from './postprocessors/postprocessor.js';
export { extractGsm8kAnswer } from './postprocessors/extract-gsm8k-answer.js';
export { extractOption } from './postprocessors/extract-option.js';
export { extractCode } from './postprocessors/extract-code.js';
export { loaders, type DatasetLoader, type LoaderSpec } from './datasets/loader.js';
export { parseCsv } from './datasets/csv.js';
export { generateArithmetic, chunkText } from './datasets/generated-loaders.js';
export { presetDataset, presetNames } from './datasets/presets.js';
export type { EvalModel, GenerateRequest, GenerateResult, LoglikelihoodRequest, LoglikelihoodResult } from './models/eval-model.js';
export { OpenAICompatibleModel, type OpenAIModelOptions } from './models/openai-compatible-model.js';
export { HttpClient, type HttpClientOptions } from './models/http-client.js';
export { models, openaiModelSchema, type ModelSpec } from './models/model-specs.js';
export { TokenBucket } from './util/token-bucket.js';
export { partition, type InferTaskSpec } from './partitioner/partition.js';
export { runTasks, type RunnerTask, type TaskOutcome } from './runner/local-runner.js';
export { summaryTable, toMarkdown, toCsv, compareRows, comparisonMarkdown, truncationNotes, type ComparisonRow } from './summarizer/summarize.js';
export { runEval, type RunEvalOptions, type RunOutcome, type ModelFactory } from './run/run-eval.js';
export { runName, listRuns, readRunSummary, resolveRunDir, defaultOutputDir, type RunSummary } from './run/run-layout.js';
