import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, resolveHome } from '@chainlm/core';
import { splitTailRows } from '@chainlm/data';
import { initBackend } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesPacked, storyTexts, tinySpec } from '../__tests__/fixtures.js';
import { listCheckpoints } from '../checkpoint/checkpoint.js';
import { parseTrainConfig } from '../config/load.js';
import { makeBatch } from '../data/train-batch.js';
import { LocalEngine } from './local-engine.js';
import { isStepMetrics, RunStore } from './run-store.js';
import { runTrainer } from './trainer.js';

beforeAll(async () => {
  await initBackend();
});

describe('LocalEngine', () => {
  it('sums gradients over micro-batches exactly as over one batch', async () => {
    const engine = await LocalEngine.create(tinySpec());
    const rows = await bytesPacked(await storyTexts(20), 33);
    const whole = new Float32Array(engine.layout.size);
    const parts = new Float32Array(engine.layout.size);
    const one = await engine.accumulateGradients([makeBatch(rows, [0, 1, 2, 3])], 0, whole);
    const two = await engine.accumulateGradients([makeBatch(rows, [0, 1]), makeBatch(rows, [2, 3])], 0, parts);
    expect(two.tokens).toBe(one.tokens);
    expect(two.lossSum).toBeCloseTo(one.lossSum, 3);
    let maxDifference = 0;
    let maxValue = 0;
    for (let index = 0; index < whole.length; index++) {
      maxDifference = Math.max(maxDifference, Math.abs(whole[index] - parts[index]));
      maxValue = Math.max(maxValue, Math.abs(whole[index]));
    }
    expect(maxValue).toBeGreaterThan(0.1);
    expect(maxDifference / maxValue).toBeLessThan(1e-4);
    await engine.dispose();
  });
});

describe('runTrainer', () => {
  it('brings the loss down on the generated story corpus, writes metrics and keeps the last K checkpoints', async () => {
    const home = resolveHome({ CHAINLM_HOME: mkdtempSync(join(tmpdir(), 'chainlm-train-loop-')) });
    const store = new RunStore('loop', home);
    const config = parseTrainConfig({
      model: { size: 'tiny' },
      data: { dataset: 'stories', seqLen: 32 },
      optimizer: { lr: 1e-2, weightDecay: 0.01 },
      schedule: { warmupSteps: 5 },
      batchSize: 8, maxSteps: 30, evalInterval: 10, evalBatches: 2, checkpointInterval: 10, keepLast: 2,
    });
    const { train, val } = splitTailRows(await bytesPacked(await storyTexts(150), 33), 0.1);
    const engine = await LocalEngine.create(tinySpec());
    const result = await runTrainer({ config, store, engine, train, val, events: new EventBus() });
    await engine.dispose();
    expect(result.steps).toBe(30);
    // Uniform over 257 bytes is ln 257 ≈ 5.55; the grammar's bytes are far more predictable.
    expect(result.initialValLoss).toBeGreaterThan(5);
    expect(result.finalValLoss).toBeLessThan(result.initialValLoss - 2);
    const metrics = store.readMetrics();
    const steps = metrics.filter(isStepMetrics);
    expect(steps.map((line) => line.step)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    expect(Object.keys(steps[0]).sort()).toEqual(['elapsed', 'epoch', 'gradNorm', 'loss', 'lr', 'step', 'tokens', 'tokensPerSecond']);
    expect(metrics.filter((line) => 'valLoss' in line).map((line) => line.step)).toEqual([0, 10, 20, 30]);
    expect(listCheckpoints(store.checkpointsDir).map((checkpoint) => checkpoint.step)).toEqual([20, 30]);
  });
});
