/**
 * What a `chainlm-eval worker` keeps between tasks: run configs validated once
 * per run, datasets loaded once (with the hash of their rows), models built
 * once per model config. A cached dataset whose rows no longer match the
 * coordinator's (its files changed since) is loaded again before the task is
 * refused.
 */
import { stableHash } from '@chainlm/core';
import { createComponent } from '../config/component.js';
import { buildRunConfig, modelAbbr, type RunConfig } from '../config/run-config.js';
import { EvalError } from '../errors.js';
import type { EvalModel } from '../models/eval-model.js';
import { models as modelSpecs } from '../models/model-specs.js';
import { loadDataset, type LoadedDataset } from '../run/load-datasets.js';
import { dataHash } from './queue-jobs.js';

type HashedDataset = LoadedDataset & { dataHash: string };

const versionHint = 'the coordinator and the worker run different chainlm versions: update both';

export class WorkerCache {
  private readonly configs = new Map<string, RunConfig>();
  private readonly datasets = new Map<string, Promise<HashedDataset>>();
  private readonly models = new Map<string, Promise<EvalModel>>();

  /** The run config of a task, parsed with the run config schema (once per run). */
  config(value: Record<string, unknown>, taskId: string): RunConfig {
    const key = stableHash(value);
    if (!this.configs.has(key)) {
      if (this.configs.size >= 16) this.configs.clear();
      this.configs.set(key, buildRunConfig(value as never, `queue task ${taskId}`));
    }
    return this.configs.get(key)!;
  }

  async dataset(config: RunConfig, abbr: string, expectedHash: string): Promise<LoadedDataset> {
    const datasetConfig = config.datasets.find((candidate) => candidate.abbr === abbr);
    if (!datasetConfig) throw new EvalError('eval-queue', `task names dataset "${abbr}", which its run config lacks`, versionHint);
    const key = stableHash({ dataset: datasetConfig, limit: config.limit });
    let dataset = await this.cached(this.datasets, key, () => loadDataset(datasetConfig, config.limit).then((loaded) => ({ ...loaded, dataHash: dataHash(loaded) })));
    if (dataset.dataHash !== expectedHash) {
      this.datasets.delete(key);
      dataset = await this.cached(this.datasets, key, () => loadDataset(datasetConfig, config.limit).then((loaded) => ({ ...loaded, dataHash: dataHash(loaded) })));
    }
    if (dataset.dataHash !== expectedHash) {
      throw new EvalError('eval-queue', `dataset ${abbr} as loaded on this worker differs from the coordinator's (other files at ${JSON.stringify(datasetConfig.loader)})`, 'give every worker the same dataset files at the same paths (a shared file system or a copy)');
    }
    return dataset;
  }

  model(config: RunConfig, abbr: string): Promise<EvalModel> {
    const modelConfig = config.models.find((candidate) => modelAbbr(candidate) === abbr);
    if (!modelConfig) throw new EvalError('eval-queue', `task names model "${abbr}", which its run config lacks`, versionHint);
    return this.cached(this.models, stableHash(modelConfig), () => createComponent<Promise<EvalModel>, void>(modelSpecs, modelConfig, undefined));
  }

  async close(): Promise<void> {
    for (const pending of this.models.values()) await (await pending.catch(() => undefined))?.close?.();
  }

  /** A failed load is not cached: the next task tries again. */
  private cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
    if (!map.has(key)) map.set(key, load());
    return map.get(key)!.catch((error: unknown) => {
      map.delete(key);
      throw error;
    });
  }
}
