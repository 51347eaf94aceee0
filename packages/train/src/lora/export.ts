/**
 * Getting models out of runs: the newest checkpoint of a run as an HF folder (full
 * training), as a PEFT adapter folder (LoRA), or as a merged HF folder (LoRA folded
 * into its base); and merging any PEFT adapter into any HF base folder.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openRegistry, resolveHome, type ChainlmHome } from '@chainlm/core';
import { initBackend, tf } from '@chainlm/runtime';
import { createModel, loadHfFolder, mergeLoraAdapter, readHfFolderMeta, readPeftAdapter, saveHfFolder, toHfConfig, tokenizerFileNames, writePeftAdapter, type LoraAdapter, type WeightMap } from '@chainlm/model';
import { listCheckpoints, readCheckpointWeights } from '../checkpoint/checkpoint.js';
import { trainError, trainErrorCodes } from '../errors.js';
import { readRunSpec, type RunSpec } from '../loop/model-spec.js';
import { buildReplica } from '../loop/replica.js';
import { RunStore } from '../loop/run-store.js';
import { adapterFromTrainable } from './adapter-export.js';

export interface ExportResult {
  run?: string;
  kind: 'model' | 'adapter';
  merged: boolean;
  out: string;
  checkpoint?: string;
  files?: string[];
}

/**
 * Tokenizer files to ship with an exported model: the base model's, or those of the
 * run's tokenizer — a folder's tokenizer files, or a file plus the files beside it
 * that configure it (tokenizer_config.json carries the EOS token and chat template).
 */
async function tokenizerFiles(spec: RunSpec): Promise<string[]> {
  if (spec.basePath) return (await readHfFolderMeta(spec.basePath)).tokenizerFiles;
  const folder = statSync(spec.tokenizerPath).isDirectory() ? spec.tokenizerPath : dirname(spec.tokenizerPath);
  const companions = tokenizerFileNames.map((name) => join(folder, name)).filter((path) => existsSync(path) && path !== spec.tokenizerPath);
  return statSync(spec.tokenizerPath).isDirectory() ? companions : [spec.tokenizerPath, ...companions.filter((path) => basename(path) !== basename(spec.tokenizerPath))];
}

async function baseWeights(spec: RunSpec): Promise<WeightMap> {
  if (spec.basePath) return (await loadHfFolder(spec.basePath)).weights;
  const model = createModel(spec.modelConfig, undefined, { seed: spec.seed });
  try {
    return model.toWeightMap();
  } finally {
    model.dispose();
  }
}

export async function exportRun(run: string, options: { out: string; merged?: boolean; home?: ChainlmHome }): Promise<ExportResult> {
  const home = options.home ?? resolveHome();
  const store = new RunStore(run, home);
  store.info();
  const spec = readRunSpec(store.dir);
  const latest = listCheckpoints(store.checkpointsDir).at(-1);
  if (!latest) throw trainError(trainErrorCodes.checkpointMissing, `run "${run}" has no checkpoint yet`, 'resume the run until it writes one (checkpointInterval)', 2);
  await initBackend();
  const replica = spec.lora ? undefined : await buildReplica(spec);
  try {
    const checkpoint = { weights: await readCheckpointWeights(latest.path) };
    let result: ExportResult;
    if (spec.lora) {
      const adapter = adapterFromTrainable(checkpoint.weights, spec.lora);
      if (options.merged) {
        const files = await saveHfFolder(options.out, { configJson: toHfConfig(spec.modelConfig), weights: mergeLoraAdapter(await baseWeights(spec), adapter), tokenizerFiles: await tokenizerFiles(spec) });
        result = { run, kind: 'model', merged: true, out: options.out, checkpoint: latest.path, files };
      } else {
        await writePeftAdapter(options.out, adapter, { baseModel: spec.basePath });
        result = { run, kind: 'adapter', merged: false, out: options.out, checkpoint: latest.path };
      }
    } else {
      const values = checkpoint.weights;
      replica!.layout.slots.forEach((slot, index) => {
        const tensor = values.get(slot.name);
        if (!tensor) throw trainError(trainErrorCodes.checkpointCorrupt, `${latest.path}: weight ${slot.name} is missing`, 'export a checkpoint written by this run');
        replica!.variables[index].assign(tf.tensor(tensor.data, slot.shape));
      });
      const files = await saveHfFolder(options.out, { configJson: toHfConfig(spec.modelConfig), weights: replica!.model.toWeightMap(), tokenizerFiles: await tokenizerFiles(spec) });
      result = { run, kind: 'model', merged: false, out: options.out, checkpoint: latest.path, files };
    }
    await recordExport(home, result, `checkpoint:${run}/step-${latest.step}`);
    return result;
  } finally {
    replica?.dispose();
  }
}

export async function mergeFolders(options: { base: string; adapter: string; out: string; home?: ChainlmHome }): Promise<ExportResult> {
  const base = await loadHfFolder(options.base);
  const adapter: LoraAdapter = await readPeftAdapter(options.adapter);
  const files = await saveHfFolder(options.out, { configJson: base.configJson, weights: mergeLoraAdapter(base.weights, adapter), tokenizerFiles: base.tokenizerFiles });
  return { kind: 'model', merged: true, out: options.out, files };
}

async function recordExport(home: ChainlmHome, result: ExportResult, checkpointId: string): Promise<void> {
  const registry = openRegistry({ file: home.registryFile });
  const name = `${result.run}-${basename(result.out)}`;
  await registry.record({
    kind: result.kind,
    id: `${result.kind}:${name}`,
    name,
    path: result.out,
    metadata: { merged: result.merged, exportedFrom: dirname(result.checkpoint ?? '') },
    inputs: [{ id: checkpointId, relation: 'exported-from' }],
  });
}
