/**
 * What a folder given as MODEL holds, judged from its file names before any weights
 * are read: an HF model folder (config.json + safetensors), a folder written by
 * saveQuantized (quantized.json), or — refused with the command that fixes it —
 * something that is not a model: a training run or checkpoint folder (what
 * chainlm-train writes: runs/<run>/ with run.json and the *training* config.json,
 * checkpoints/<run>/step-N/ with trainable.safetensors, optimizer.safetensors and
 * state.json), or a PEFT adapter folder.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createModel, isPeftFolder, loadHfFolder, mergeLoraAdapter, parseHfConfig, readPeftAdapter, type Model } from '@chainlm/model';
import { EngineError } from '../errors.js';

export type ModelFolderKind = 'hf' | 'quantized';

const stepFolder = /^step-\d+$/;

/** The training run a folder belongs to, and what it is, when it is chainlm-train's output. */
function trainingOutput(dir: string): { run: string; what: string } | undefined {
  const has = (name: string) => existsSync(join(dir, name));
  if (has('state.json') && (has('trainable.safetensors') || has('optimizer.safetensors'))) {
    const run = basename(dirname(dir));
    return { run, what: `a training checkpoint (${basename(dir)} of run "${run}": trainable.safetensors, optimizer.safetensors, state.json)` };
  }
  if (has('run.json') && !readdirSync(dir).some((name) => name.endsWith('.safetensors'))) {
    return { run: basename(dir), what: `the folder of training run "${basename(dir)}" (run.json, metrics.jsonl; its config.json is the training config)` };
  }
  if (!has('config.json') && readdirSync(dir).some((name) => stepFolder.test(name) && existsSync(join(dir, name, 'state.json')))) {
    return { run: basename(dir), what: `the checkpoints folder of training run "${basename(dir)}" (step-N/ training checkpoints)` };
  }
  return undefined;
}

/** Which loader reads `dir`; throws, naming the fix, for a folder that is no model. */
export function modelFolderKind(dir: string): ModelFolderKind {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EngineError('engine-model-folder', `${dir}: model folder not found`, 'pass a folder holding config.json and *.safetensors (or quantized.json)');
  }
  if (existsSync(join(dir, 'quantized.json'))) return 'quantized';
  const training = trainingOutput(dir);
  if (training) {
    throw new EngineError(
      'engine-model-folder',
      `${dir} is ${training.what}, not a model folder`,
      `\`chainlm-train export ${training.run} --out DIR\` writes the run's newest checkpoint as a model folder (a LoRA run writes a PEFT adapter unless you add --merged); then point at DIR`,
    );
  }
  if (!existsSync(join(dir, 'config.json')) && isPeftFolder(dir)) {
    throw new EngineError(
      'engine-model-folder',
      `${dir} is a PEFT LoRA adapter folder, not a model folder`,
      'point at its base model and give the adapter (chainlm-serve --adapters NAME=DIR, an eval model\'s `adapter`), or fold it in with `chainlm-train merge --base BASE --adapter DIR --out OUT`',
    );
  }
  return 'hf';
}

/** An HF folder's float model, with a PEFT adapter folded into its weights when given. */
export async function loadFloatModel(dir: string, adapter?: string): Promise<Model> {
  const folder = await loadHfFolder(dir);
  const weights = adapter ? mergeLoraAdapter(folder.weights, await readPeftAdapter(adapter)) : folder.weights;
  return createModel(parseHfConfig(folder.configJson, join(dir, 'config.json')), weights);
}
