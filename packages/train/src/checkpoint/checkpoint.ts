/**
 * Training checkpoints: checkpoints/<run>/step-N/ holding
 *   trainable.safetensors   trainable parameters as the model holds them (linear weights
 *                         [in, out]; LoRA a/b), under canonical HF names — not an HF file:
 *                         `chainlm-train export` writes HF folders
 *   optimizer.safetensors   AdamW m and v per parameter (`<name>.exp_avg`, `<name>.exp_avg_sq`)
 *   state.json              step, optimizer step, RNG state, data position, run counters
 * Each is written into a temp folder that is renamed into place (replaceDirAtomic),
 * so a kill mid-write leaves the previous checkpoint whole and no half step-N. After a
 * write, all but the newest `keepLast` are removed.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceDirAtomic, writeJsonAtomic } from '@chainlm/core';
import { readSafetensors, writeSafetensors, type WeightMap } from '@chainlm/model';
import type { DataPosition } from '../data/sampler.js';
import { trainError, trainErrorCodes } from '../errors.js';
import type { AdamWState } from '../optim/adamw.js';
import type { ParamLayout } from '../optim/layout.js';
import { checkpointPath, pruneCheckpoints, type SavedCheckpoint } from './list.js';

export interface CheckpointState {
  /** Optimizer steps completed. */
  step: number;
  rngState: number;
  dataPosition: DataPosition;
  tokensSeen: number;
  /** Wall seconds of training before this checkpoint (so elapsed continues on resume). */
  elapsedSeconds: number;
  initialValLoss: number | null;
  lastValLoss: number | null;
  /** Loss of the last step taken (the summary's finalTrainLoss). */
  lastTrainLoss: number | null;
}

export { checkpointPath, listCheckpoints, pruneCheckpoints, type SavedCheckpoint } from './list.js';

export async function saveCheckpoint(
  runCheckpoints: string,
  input: { weights: WeightMap; layout: ParamLayout; optimizer: AdamWState; state: CheckpointState; keepLast: number },
): Promise<SavedCheckpoint> {
  const path = checkpointPath(runCheckpoints, input.state.step);
  await replaceDirAtomic(path, async (temp) => {
    await writeSafetensors(join(temp, 'trainable.safetensors'), input.weights);
    await writeSafetensors(join(temp, 'optimizer.safetensors'), optimizerWeights(input.layout, input.optimizer), {
      metadata: { optimizer: 'adamw', step: String(input.optimizer.step) },
    });
    await writeJsonAtomic(join(temp, 'state.json'), { ...input.state, optimizerStep: input.optimizer.step });
  });
  await pruneCheckpoints(runCheckpoints, input.keepLast);
  return { path, step: input.state.step };
}

function optimizerWeights(layout: ParamLayout, state: AdamWState): WeightMap {
  const weights: WeightMap = new Map();
  for (const slot of layout.slots) {
    const end = slot.offset + slot.size;
    weights.set(`${slot.name}.exp_avg`, { shape: slot.shape, dtype: 'F32', data: state.m.subarray(slot.offset, end) });
    weights.set(`${slot.name}.exp_avg_sq`, { shape: slot.shape, dtype: 'F32', data: state.v.subarray(slot.offset, end) });
  }
  return weights;
}

export interface LoadedCheckpoint {
  path: string;
  weights: WeightMap;
  state: CheckpointState;
  optimizer: AdamWState;
}

/** Reads a checkpoint and lays its optimizer state out like `layout`. */
export async function loadCheckpoint(path: string, layout: ParamLayout): Promise<LoadedCheckpoint> {
  const statePath = join(path, 'state.json');
  if (!existsSync(statePath)) {
    throw trainError(trainErrorCodes.checkpointMissing, `no checkpoint at ${path} (state.json missing)`, 'list the run\'s checkpoints with `chainlm-train show RUN`');
  }
  const raw = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState & { optimizerStep: number };
  const weights = await readCheckpointWeights(path);
  const moments = await readSafetensors(join(path, 'optimizer.safetensors'));
  const m = new Float32Array(layout.size);
  const v = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    const first = moments.get(`${slot.name}.exp_avg`);
    const second = moments.get(`${slot.name}.exp_avg_sq`);
    if (!first || !second || first.data.length !== slot.size || second.data.length !== slot.size) {
      throw trainError(
        trainErrorCodes.checkpointCorrupt,
        `${join(path, 'optimizer.safetensors')}: optimizer state for ${slot.name} is missing or has the wrong size`,
        'the checkpoint was written for another model or method; resume it with its own run config',
      );
    }
    m.set(first.data, slot.offset);
    v.set(second.data, slot.offset);
  }
  const { optimizerStep, ...state } = raw;
  return { path, weights, state, optimizer: { step: optimizerStep, m, v } };
}

/** The trainable parameters of a checkpoint, by name. */
export async function readCheckpointWeights(path: string): Promise<WeightMap> {
  const file = join(path, 'trainable.safetensors');
  if (!existsSync(file)) {
    throw trainError(trainErrorCodes.checkpointMissing, `no checkpoint weights at ${file}`, 'list the run\'s checkpoints with `chainlm-train show RUN`');
  }
  return readSafetensors(file);
}
