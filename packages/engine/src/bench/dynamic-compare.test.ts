import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, presetConfig, type Model } from '@chainlm/model';
import { compareBatching, medianResult, warmUpTrace } from './dynamic-compare.js';
import type { DynamicResult } from './dynamic-bench.js';

const result = (requestsPerSecond: number): DynamicResult => ({ policy: 'static', requests: 1, seconds: 1, requestsPerSecond, outputTokensPerSecond: 0, ttftP50Ms: 0, ttftP99Ms: 0, latencyP50Ms: 0, latencyP99Ms: 0 });

describe('dynamic comparison helpers', () => {
  it('medianResult picks the middle round by request throughput (lower middle when even)', () => {
    expect(medianResult([result(5), result(1), result(3)]).requestsPerSecond).toBe(3);
    expect(medianResult([result(4), result(1), result(3), result(2)]).requestsPerSecond).toBe(2);
    expect(medianResult([result(7)]).requestsPerSecond).toBe(7);
  });

  it('warmUpTrace keeps the first requests, all arriving at once', () => {
    const trace = [0, 10, 20, 30].map((arrivalMs, index) => ({ arrivalMs, inputLength: 4 + index, outputLength: 2 }));
    expect(warmUpTrace(trace, 2)).toEqual([
      { arrivalMs: 0, inputLength: 4, outputLength: 2 },
      { arrivalMs: 0, inputLength: 5, outputLength: 2 },
    ]);
    expect(warmUpTrace(trace, 0)).toHaveLength(1);
  });
});

describe('compareBatching', () => {
  let model: Model;
  beforeAll(async () => {
    await initBackend();
    model = createModel(presetConfig('tiny', { maxPositionEmbeddings: 64 }), undefined, { seed: 1 });
  });
  afterAll(() => model.dispose());

  it('alternates which policy runs first and reports each policy’s median round', async () => {
    const trace = [0, 0, 0, 0].map((arrivalMs, index) => ({ arrivalMs, inputLength: 3 + index, outputLength: 2 + 2 * index }));
    const comparison = await compareBatching(model, trace, { maxSeqs: 2, rounds: 3, warmUp: true });
    expect(comparison.rounds.map((round) => round.first)).toEqual(['continuous', 'static', 'continuous']);
    const middle = (values: number[]) => [...values].sort((a, b) => a - b)[1];
    expect(comparison.continuous.requestsPerSecond).toBe(middle(comparison.rounds.map((round) => round.continuous)));
    expect(comparison.static.requestsPerSecond).toBe(middle(comparison.rounds.map((round) => round.static)));
    expect(comparison.continuous.policy).toBe('continuous');
    expect(comparison.static.policy).toBe('static');
    expect(comparison.ratio).toBeCloseTo(comparison.continuous.requestsPerSecond / comparison.static.requestsPerSecond, 1);
  }, 30_000);
});
