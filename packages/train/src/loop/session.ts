/**
 * A training session end to end: run folder, data, model spec, engine, registry
 * lineage (dataset → run → checkpoint/adapter), the loop, and the summary. `startRun`
 * begins a run; `resumeRun` continues one from its newest checkpoint.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventBus, openRegistry, resolveHome, type ChainlmHome } from '@chainlm/core';
import { writePeftAdapter } from '@chainlm/model';
import { initBackend } from '@chainlm/runtime';
import { listCheckpoints, loadCheckpoint, type SavedCheckpoint } from '../checkpoint/checkpoint.js';
import { parseTrainConfig } from '../config/load.js';
import type { TrainConfig } from '../config/schema.js';
import { loadTrainingData, type TrainingData } from '../data/source.js';
import { trainError, trainErrorCodes } from '../errors.js';
import { adapterFromTrainable } from '../lora/adapter-export.js';
import { WorkerPool } from '../parallel/worker-pool.js';
import type { GradientEngine } from './engine.js';
import { LocalEngine } from './local-engine.js';
import { baseTokenizerPath, modelConfigFor, writeRunSpec, type RunSpec } from './model-spec.js';
import { RunStore } from './run-store.js';
import { runTrainer, type TrainResult } from './trainer.js';

/** The trainer's result without its weights, plus where the run lives and how it ran. */
export interface RunSummary extends Omit<TrainResult, 'weights'> {
  run: string;
  dir: string;
  method: string;
  adapter?: string;
  workers: number;
  parameters: number;
  tokenizer: string;
  memory?: { baseFp32Bytes: number; baseStoredBytes: number };
}

export interface SessionOptions {
  home?: ChainlmHome;
  events?: EventBus;
  /** Run id; default `<config.name>-<UTC timestamp>`. */
  run?: string;
}

export async function startRun(config: TrainConfig, options: SessionOptions = {}): Promise<RunSummary> {
  const home = options.home ?? resolveHome();
  const run = options.run ?? `${config.name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
  const store = new RunStore(run, home);
  if (store.exists()) throw trainError(trainErrorCodes.runFinished, `run "${run}" already exists in ${store.dir}`, 'pick another run name, or continue it with `chainlm-train resume`', 2);
  mkdirSync(store.dir, { recursive: true });
  await store.writeConfig(config);
  const now = new Date().toISOString();
  await store.writeInfo({ run, status: 'running', method: config.method, createdAt: now, updatedAt: now });
  return execute(config, store, options.events ?? new EventBus(), false, home);
}

export async function resumeRun(run: string, options: SessionOptions = {}): Promise<RunSummary> {
  const home = options.home ?? resolveHome();
  const store = new RunStore(run, home);
  const info = store.info();
  if (info.status === 'finished') {
    throw trainError(trainErrorCodes.runFinished, `run "${run}" already finished (${info.summary?.steps ?? '?'} steps)`, 'start a new run, or raise maxSteps in a new config', 2);
  }
  const config = parseTrainConfig(store.readConfig(), join(store.dir, 'config.json'));
  await store.writeInfo({ ...info, status: 'running' });
  return execute(config, store, options.events ?? new EventBus(), true, home);
}

async function execute(config: TrainConfig, store: RunStore, events: EventBus, resume: boolean, home: ChainlmHome): Promise<RunSummary> {
  let engine: GradientEngine | undefined;
  try {
    // A library caller may never have picked a backend; tfjs would then run this thread on its slow cpu one.
    await initBackend();
    const data = await loadTrainingData(config.data, store.dir, await baseTokenizerPath(config.model), home);
    const spec: RunSpec = {
      modelConfig: await modelConfigFor(config, data.tokenizer.vocabSize),
      ...(config.model.path ? { basePath: resolve(config.model.path) } : {}),
      seed: config.seed,
      method: config.method,
      ...(config.method === 'lora' || config.method === 'qlora' ? { lora: config.lora } : {}),
      tokenizerPath: data.tokenizerPath,
    };
    await writeRunSpec(store.dir, spec);
    engine = config.workers > 1 ? await WorkerPool.create(spec, config.workers) : await LocalEngine.create(spec);
    const latest = resume ? listCheckpoints(store.checkpointsDir).at(-1) : undefined;
    const resumeFrom = latest ? await loadCheckpoint(latest.path, engine.layout) : undefined;
    if (resume) await store.truncateMetricsAfter(resumeFrom?.state.step ?? -1);
    const registry = openRegistry({ file: home.registryFile });
    const runId = await recordRun(registry, store, config, data, spec);
    const result = await runTrainer({
      config, store, engine, train: data.train, val: data.val, events, resumeFrom,
      onCheckpoint: (saved) => recordCheckpoint(registry, runId, store.run, saved),
    });
    const adapter = spec.lora ? await writeAdapter(registry, runId, store, config, result, spec) : undefined;
    const summary = summarize(store, config, spec, result, engine, adapter);
    await store.writeInfo({ ...store.info(), status: 'finished', datasetId: data.datasetId, summary: { ...summary } });
    await registry.record({ kind: 'run', id: runId, name: store.run, path: store.dir, metadata: { ...summary, status: 'finished', config } });
    return summary;
  } catch (error) {
    if (store.exists()) await store.writeInfo({ ...store.info(), status: 'failed', error: (error as Error).message });
    throw error;
  } finally {
    await engine?.dispose();
  }
}

type Registry = ReturnType<typeof openRegistry>;

async function recordRun(registry: Registry, store: RunStore, config: TrainConfig, data: TrainingData, spec: RunSpec): Promise<string> {
  if (!(await registry.get(data.datasetId))) {
    await registry.record({ kind: 'dataset', id: data.datasetId, name: data.datasetName, path: data.datasetPath, metadata: { source: 'chainlm-train' } });
  }
  const inputs = [{ id: data.datasetId, relation: 'trained-on' }];
  if (spec.basePath) {
    const modelId = `model:${spec.basePath.split('/').filter(Boolean).at(-1)}`;
    if (!(await registry.get(modelId))) await registry.record({ kind: 'model', id: modelId, name: modelId.slice(6), path: spec.basePath });
    inputs.push({ id: modelId, relation: 'base-model' });
  }
  const runId = `run:${store.run}`;
  await registry.record({ kind: 'run', id: runId, name: store.run, path: store.dir, metadata: { method: config.method, status: 'running', config }, inputs });
  return runId;
}

async function recordCheckpoint(registry: Registry, runId: string, run: string, saved: SavedCheckpoint): Promise<void> {
  await registry.record({ kind: 'checkpoint', id: `checkpoint:${run}/step-${saved.step}`, name: `${run}/step-${saved.step}`, path: saved.path, metadata: { step: saved.step }, inputs: [{ id: runId, relation: 'checkpoint-of' }] });
}

async function writeAdapter(registry: Registry, runId: string, store: RunStore, config: TrainConfig, result: TrainResult, spec: RunSpec): Promise<string> {
  const dir = join(store.dir, 'adapter');
  await writePeftAdapter(dir, adapterFromTrainable(result.weights, config.lora), { baseModel: spec.basePath });
  await registry.record({ kind: 'adapter', id: `adapter:${store.run}`, name: store.run, path: dir, metadata: { rank: config.lora.rank, alpha: config.lora.alpha, targetModules: config.lora.targetModules }, inputs: [{ id: runId, relation: 'adapter-of' }] });
  return dir;
}

function summarize(store: RunStore, config: TrainConfig, spec: RunSpec, result: TrainResult, engine: GradientEngine, adapter: string | undefined): RunSummary {
  const memory = engine instanceof LocalEngine ? engine.replica.lora?.memory : undefined;
  return {
    run: store.run,
    dir: store.dir,
    method: config.method,
    steps: result.steps,
    initialValLoss: result.initialValLoss,
    finalTrainLoss: result.finalTrainLoss,
    finalValLoss: result.finalValLoss,
    finalValPerplexity: result.finalValPerplexity,
    tokensPerSecond: result.tokensPerSecond,
    checkpoint: result.checkpoint,
    ...(adapter ? { adapter } : {}),
    workers: config.workers,
    parameters: engine.layout.size,
    elapsedSeconds: result.elapsedSeconds,
    tokenizer: spec.tokenizerPath,
    ...(memory ? { memory } : {}),
  };
}
