import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WeightMap } from '@chainlm/model';
import { describe, expect, it } from 'vitest';
import { buildLayout } from '../optim/layout.js';
import { listCheckpoints, loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';

const layout = buildLayout([
  { name: 'w', shape: [2, 2] },
  { name: 'b', shape: [2] },
]);

function input(step: number, keepLast = 2) {
  const weights: WeightMap = new Map([
    ['w', { shape: [2, 2], dtype: 'F32', data: Float32Array.from([1, 2, 3, step]) }],
    ['b', { shape: [2], dtype: 'F32', data: Float32Array.from([0.5, -0.5]) }],
  ]);
  const state: CheckpointState = { step, rngState: 123 + step, dataPosition: { epoch: 1, cursor: step }, tokensSeen: step * 10, elapsedSeconds: 1.5, initialValLoss: 5, lastValLoss: 4, lastTrainLoss: 4.5 };
  const optimizer = { step, m: Float32Array.from({ length: 6 }, (_, index) => index * 0.1), v: Float32Array.from({ length: 6 }, (_, index) => index * 0.01) };
  return { weights, layout, optimizer, state, keepLast };
}

describe('checkpoints', () => {
  it('round-trips weights, optimizer moments, RNG and data position', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainlm-ckpt-'));
    const saved = await saveCheckpoint(dir, input(7));
    const loaded = await loadCheckpoint(saved.path, layout);
    expect(loaded.state).toEqual(input(7).state);
    expect(Array.from(loaded.weights.get('w')!.data)).toEqual([1, 2, 3, 7]);
    expect(loaded.optimizer.step).toBe(7);
    expect(Array.from(loaded.optimizer.m)).toEqual(Array.from(input(7).optimizer.m));
    expect(Array.from(loaded.optimizer.v)).toEqual(Array.from(input(7).optimizer.v));
  });

  it('keeps only the newest K and leaves no temp folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainlm-ckpt-'));
    for (const step of [1, 2, 3, 4]) await saveCheckpoint(dir, input(step, 2));
    expect(listCheckpoints(dir).map((checkpoint) => checkpoint.step)).toEqual([3, 4]);
    expect(readdirSync(dir).sort()).toEqual(['step-3', 'step-4']);
  });

  it('ignores a step folder without state.json (a half-written one) and reports missing pieces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainlm-ckpt-'));
    const saved = await saveCheckpoint(dir, input(5));
    rmSync(join(saved.path, 'state.json'));
    expect(listCheckpoints(dir)).toEqual([]);
    await expect(loadCheckpoint(saved.path, layout)).rejects.toThrow(/state\.json missing/);
    const other = await saveCheckpoint(dir, input(6));
    const wrongLayout = buildLayout([{ name: 'w', shape: [3, 3] }]);
    await expect(loadCheckpoint(other.path, wrongLayout)).rejects.toThrow(/optimizer state for w is missing or has the wrong size/);
    expect(existsSync(join(other.path, 'trainable.safetensors'))).toBe(true);
  });
});
