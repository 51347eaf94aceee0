import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { clipGlobalNorm, globalNorm } from './clip.js';
import { buildLayout } from './layout.js';
import { learningRateAt } from './schedule.js';

describe('AdamW', () => {
  // A 1×2 matrix (decayed) and a bias of 1 (not decayed).
  const layout = buildLayout([
    { name: 'layers.0.w.weight', shape: [1, 2] },
    { name: 'layers.0.w.bias', shape: [1] },
  ]);
  const config = { betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.1 };

  it('marks only matrices for decay', () => {
    expect(layout.slots.map((slot) => slot.decay)).toEqual([true, false]);
    expect(buildLayout([{ name: 'model.norm.weight', shape: [4, 4] }]).slots[0].decay).toBe(false);
  });

  it('matches two hand-computed steps', () => {
    const optimizer = new AdamW(layout, config);
    const params = new Float32Array([1, 2, 1]);
    // Step 1: m̂ = g, v̂ = g², so the update is sign(g); decay multiplies by 1 − 0.1·0.1.
    optimizer.update(params, new Float32Array([0.5, -1, 0.5]), 0.1);
    expect(params[0]).toBeCloseTo(0.99 - 0.1, 6);
    expect(params[1]).toBeCloseTo(1.98 + 0.1, 6);
    expect(params[2]).toBeCloseTo(1 - 0.1, 6);
    // Step 2 with g = 0.25 on the first weight:
    // m = 0.9·0.05 + 0.1·0.25 = 0.07, m̂ = 0.07/0.19 = 0.368421
    // v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225, v̂ = v/0.001999 = 0.156203, √ = 0.395225
    // p = 0.89·0.99 − 0.1·0.368421/0.395225 = 0.7878815
    optimizer.update(params, new Float32Array([0.25, -1, 0.5]), 0.1);
    expect(params[0]).toBeCloseTo(0.7878815, 5);
    expect(params[1]).toBeCloseTo(2.08 * 0.99 + 0.1, 5);
    expect(params[2]).toBeCloseTo(0.9 - 0.1, 5);
    expect(optimizer.step).toBe(2);
  });

  it('saves and restores its state', () => {
    const first = new AdamW(layout, config);
    const params = new Float32Array([1, 2, 1]);
    first.update(params, new Float32Array([0.3, 0.1, -0.2]), 0.01);
    const second = new AdamW(layout, config);
    second.load({ step: first.step, m: first.m.slice(), v: first.v.slice() });
    const a = params.slice();
    const b = params.slice();
    first.update(a, new Float32Array([0.1, 0.2, 0.3]), 0.01);
    second.update(b, new Float32Array([0.1, 0.2, 0.3]), 0.01);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('refuses buffers and states of the wrong size', () => {
    const optimizer = new AdamW(layout, config);
    expect(() => optimizer.update(new Float32Array(2), new Float32Array(3), 0.1)).toThrow(/expected buffers of 3/);
    expect(() => optimizer.load({ step: 1, m: new Float32Array(5), v: new Float32Array(5) })).toThrow(/holds 5 values/);
  });
});

describe('learningRateAt', () => {
  const schedule = { warmupSteps: 10, decay: 'cosine' as const, minLrRatio: 0.1 };

  it('warms up linearly', () => {
    expect(learningRateAt(0, 1, 110, schedule)).toBeCloseTo(0.1);
    expect(learningRateAt(4, 1, 110, schedule)).toBeCloseTo(0.5);
    expect(learningRateAt(9, 1, 110, schedule)).toBeCloseTo(1);
  });

  it('decays by cosine to the floor', () => {
    expect(learningRateAt(10, 1, 110, schedule)).toBeCloseTo(1);
    expect(learningRateAt(60, 1, 110, schedule)).toBeCloseTo(0.55); // halfway: 0.1 + 0.5·0.9
    expect(learningRateAt(110, 1, 110, schedule)).toBeCloseTo(0.1);
    expect(learningRateAt(500, 1, 110, schedule)).toBeCloseTo(0.1);
  });

  it('decays linearly or stays constant', () => {
    expect(learningRateAt(35, 2, 110, { ...schedule, decay: 'linear' })).toBeCloseTo(2 - 1.8 * 0.25);
    expect(learningRateAt(100, 2, 110, { ...schedule, decay: 'constant' })).toBe(2);
    expect(learningRateAt(0, 2, 110, { warmupSteps: 0, decay: 'constant', minLrRatio: 0 })).toBe(2);
  });
});

describe('clipGlobalNorm', () => {
  it('scales gradients above the norm and reports the norm before clipping', () => {
    const grads = new Float32Array([3, 4]);
    expect(clipGlobalNorm(grads, 1)).toBeCloseTo(5);
    expect(globalNorm(grads)).toBeCloseTo(1, 5);
    expect(grads[0]).toBeCloseTo(0.6, 5);
  });

  it('leaves small gradients and turns off at 0', () => {
    const grads = new Float32Array([3, 4]);
    clipGlobalNorm(grads, 10);
    clipGlobalNorm(grads, 0);
    expect(Array.from(grads)).toEqual([3, 4]);
  });
});

describe('totalSteps', () => {
  it('takes maxSteps or epochs, whichever ends first', async () => {
    const { totalSteps } = await import('../loop/trainer.js');
    const base = { batchSize: 4, gradAccumulation: 2 } as const;
    expect(totalSteps({ ...base, maxSteps: 10 } as never, 1000)).toBe(10);
    expect(totalSteps({ ...base, epochs: 1 } as never, 100)).toBe(13); // ceil(100 / 8)
    expect(totalSteps({ ...base, epochs: 2, maxSteps: 20 } as never, 100)).toBe(20);
  });
});
