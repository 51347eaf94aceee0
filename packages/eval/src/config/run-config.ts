/**
 * A run config: models × datasets, plus runner settings. Datasets are either
 * full dataset configs (`datasets:`) or built-in names (`presets:` with
 * `dataDir`). Relative paths are relative to the config file. Loaded through
 * core's loadConfigFile, so YAML/JSON errors point at file:line.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, loadConfigFile, validateConfig } from '@chainlm/core';
import { z } from 'zod';
import { models } from '../models/model-specs.js';
import { presetDataset } from '../datasets/presets.js';
import { nonNegativeInt, positiveInt, unionSchema } from './component.js';
import { datasetConfigSchema, type DatasetConfig } from './dataset-config.js';

export function runConfigSchema() {
  return z.strictObject({
    /** Prefix of the run name; the rest is a hash of the config. */
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only').default('eval'),
    models: z.array(unionSchema(models)).min(1),
    datasets: z.array(datasetConfigSchema()).default([]),
    presets: z.array(z.string()).default([]),
    dataDir: z.string().optional(),
    /** In-context examples for presets (0 = zero-shot); default: each preset's own. */
    shots: nonNegativeInt.optional(),
    /** Caps generated tokens of gen presets (tiny models, quick checks). */
    maxOutLen: positiveInt.optional(),
    /** Evaluate only the first N test items of each dataset. */
    limit: positiveInt.optional(),
    /** Default: <CHAINLM_HOME>/evals. */
    outputDir: z.string().optional(),
    runner: z
      .strictObject({
        /** Tasks run at once. */
        concurrency: positiveInt.default(2),
        /** Predictions are saved every N items. */
        saveEvery: positiveInt.default(16),
        /** Datasets with more test items are split into shards of this size. */
        shardSize: positiveInt.default(500),
        /** `local`: tasks run in this process; `queue`: on `chainlm-eval worker` processes over BullMQ on Redis. */
        type: z.enum(['local', 'queue']).default('local'),
        /** Redis of the queue runner, e.g. redis://127.0.0.1:6379. */
        redis: z.string().optional(),
        /** Queue runner: tries per task before it is reported failed. */
        attempts: positiveInt.default(3),
      })
      .default({ concurrency: 2, saveEvery: 16, shardSize: 500, type: 'local', attempts: 3 }),
    /** Record results in the chainlm registry. */
    registry: z.boolean().default(true),
  });
}

export type RunConfigInput = z.input<ReturnType<typeof runConfigSchema>>;
type ParsedRunConfig = z.infer<ReturnType<typeof runConfigSchema>>;

export interface RunConfig extends Omit<ParsedRunConfig, 'datasets' | 'presets'> {
  /** Presets expanded: every dataset as a full config. */
  datasets: DatasetConfig[];
}

export function loadRunConfig(file: string, overrides?: Record<string, unknown>): RunConfig {
  const parsed = loadConfigFile(file, runConfigSchema(), overrides ? { overrides } : {});
  return finishRunConfig(parsed as ParsedRunConfig, file, dirname(resolve(file)));
}

/** Validates an in-memory config (API and CLI shortcut) the same way. */
export function buildRunConfig(value: RunConfigInput, source = '<run config>', baseDir = process.cwd()): RunConfig {
  return finishRunConfig(validateConfig(value, runConfigSchema(), source) as ParsedRunConfig, source, baseDir);
}

function finishRunConfig(parsed: ParsedRunConfig, source: string, baseDir: string): RunConfig {
  const absolute = (path: string | undefined) => (path === undefined || isAbsolute(path) ? path : resolve(baseDir, path));
  const dataDir = absolute(parsed.dataDir ?? process.env.CHAINLM_EVAL_DATA_DIR);
  const datasets = [
    ...parsed.datasets.map((dataset) => ({ ...dataset, loader: resolveLoaderPaths(dataset.loader, absolute) })),
    ...parsed.presets.map((name) => presetDataset(name, { dataDir, shots: parsed.shots, maxOutLen: parsed.maxOutLen })),
  ];
  if (datasets.length === 0) throw new ConfigError(source, [{ path: 'datasets', message: 'no datasets: list `datasets:` configs or `presets:` names' }]);
  const duplicate = (names: string[]) => names.find((name, index) => names.indexOf(name) !== index);
  const datasetDuplicate = duplicate(datasets.map((dataset) => dataset.abbr));
  if (datasetDuplicate) throw new ConfigError(source, [{ path: 'datasets', message: `two datasets are named "${datasetDuplicate}"; give each a unique abbr` }]);
  const modelNames = parsed.models.map((model) => modelAbbr(model));
  const modelDuplicate = duplicate(modelNames);
  if (modelDuplicate) throw new ConfigError(source, [{ path: 'models', message: `two models are named "${modelDuplicate}"; give each a unique abbr` }]);
  const model = parsed.models.map((entry) => ('path' in entry && typeof entry.path === 'string' ? { ...entry, path: absolute(entry.path) } : entry));
  if (parsed.runner.type === 'queue' && !parsed.runner.redis) throw new ConfigError(source, [{ path: 'runner.redis', message: 'the queue runner needs a Redis URL: set runner.redis or pass --redis redis://HOST:PORT' }]);
  const { presets: _presets, ...rest } = parsed;
  return { ...rest, models: model, datasets, dataDir, outputDir: absolute(parsed.outputDir) };
}

function resolveLoaderPaths<T extends Record<string, unknown>>(loader: T, absolute: (path: string) => string | undefined): T {
  const out: Record<string, unknown> = { ...loader };
  if (typeof out.path === 'string') out.path = absolute(out.path);
  if (out.splits && typeof out.splits === 'object') {
    out.splits = Object.fromEntries(Object.entries(out.splits as Record<string, string>).map(([split, file]) => [split, absolute(file)]));
  }
  return out as T;
}

/** The table name of a model config: its abbr, else its model name or path's last part. */
export function modelAbbr(model: Record<string, unknown>): string {
  if (typeof model.abbr === 'string') return model.abbr;
  const source = typeof model.model === 'string' ? model.model : String(model.path ?? 'model').split(/[\\/]/).filter(Boolean).pop() ?? 'model';
  return source.replace(/[^A-Za-z0-9_.-]+/g, '-');
}
