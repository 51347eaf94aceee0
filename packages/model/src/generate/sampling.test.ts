import { describe, expect, it } from 'vitest';
import { ConfigError } from '@chainlm/core';
import { createRng } from './rng.js';
import { argmax, buildLogitsProcessors, nextToken, resolveSamplingOptions, sampleFromLogits } from './sampling.js';
import { findStopString, pendingStopPrefix } from './stop.js';

describe('rng', () => {
  it('is deterministic per seed and roughly uniform / normal', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    const rng = createRng(7);
    let sum = 0;
    let squares = 0;
    const n = 20000;
    for (let index = 0; index < n; index++) {
      const value = rng.normal();
      sum += value;
      squares += value * value;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.05);
    const uniform = createRng(9);
    const buckets = new Array(10).fill(0);
    for (let index = 0; index < n; index++) buckets[Math.floor(uniform.next() * 10)]++;
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(200);
  });
});

describe('sampling', () => {
  it('greedy takes the first maximum; sampling follows the distribution and the seed', () => {
    expect(argmax(Float32Array.of(1, 5, 5, 2))).toBe(1);
    const logits = Float32Array.of(Math.log(0.7), Math.log(0.2), Math.log(0.1), -Infinity);
    const rng = createRng(1);
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < 10000; index++) counts[sampleFromLogits(logits, rng)]!++;
    expect(counts[3]).toBe(0);
    expect(Math.abs(counts[0]! / 10000 - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(counts[2]! / 10000 - 0.1)).toBeLessThan(0.02);
    const draw = (seed: number): number[] => {
      const seeded = createRng(seed);
      return Array.from({ length: 20 }, () => sampleFromLogits(logits, seeded));
    };
    expect(draw(5)).toEqual(draw(5));
  });

  it('builds processors in HF order and skips warpers when greedy', () => {
    const options = resolveSamplingOptions({ temperature: 0.5, topK: 2, repetitionPenalty: 2 });
    const processors = buildLogitsProcessors(options);
    expect(processors).toHaveLength(3);
    // penalty first (2 → 1 for seen token 0), then temperature (×2), then top-k.
    const logits = Float32Array.of(2, 1.5, 0);
    const id = nextToken(logits, processors, { ids: [0], promptLength: 1 }, false, createRng(0));
    expect([...logits]).toEqual([2, 3, -Infinity]);
    expect([0, 1]).toContain(id);
    expect(buildLogitsProcessors(resolveSamplingOptions({ temperature: 0, topK: 1, topP: 0.5 }))).toHaveLength(0);
    expect(resolveSamplingOptions({}).temperature).toBe(1);
  });

  it('rejects invalid sampling options by name', () => {
    expect(() => resolveSamplingOptions({ temperature: -1 })).toThrow(ConfigError);
    expect(() => resolveSamplingOptions({ topP: 0 })).toThrow(/topP/);
    expect(() => resolveSamplingOptions({ topK: 1.5 })).toThrow(/topK/);
    expect(() => resolveSamplingOptions({ top_k: 3 } as never)).toThrow(/unknown key "top_k"/);
  });
});

describe('stop strings', () => {
  it('finds the earliest stop and the held-back prefix', () => {
    expect(findStopString('hello world. END more', ['END', '.'])).toEqual({ textEnd: 11, stopString: '.' });
    expect(findStopString('abc', ['x', ''])).toBeUndefined();
    expect(pendingStopPrefix('the answer is <|e', ['<|end|>'])).toBe(3);
    expect(pendingStopPrefix('plain', ['<|end|>'])).toBe(0);
  });
});
