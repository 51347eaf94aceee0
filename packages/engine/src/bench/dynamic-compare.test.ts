import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, presetConfig, type Model } from '@chainlm/model';
import { compareBatching, medianIndex, warmUpTrace } from './dynamic-compare.js';

describe('dynamic comparison helpers', () => {
  it('medianIndex picks the middle value (lower middle when even)', () => {
    expect(medianIndex([5, 1, 3])).toBe(2);
    expect(medianIndex([4, 1, 3, 2])).toBe(3);
    expect(medianIndex([7])).toBe(0);
    expect(medianIndex([2, 2, 2])).toBe(1);
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

  it('alternates which policy runs first and reports the round with the median ratio', async () => {
    const trace = [0, 0, 0, 0].map((arrivalMs, index) => ({ arrivalMs, inputLength: 3 + index, outputLength: 2 + 2 * index }));
    const comparison = await compareBatching(model, trace, { maxSeqs: 2, rounds: 3, warmUp: true });
    expect(comparison.rounds.map((round) => round.first)).toEqual(['continuous', 'static', 'continuous']);
    const ratios = comparison.rounds.map((round) => round.continuous / round.static);
    const median = comparison.rounds[ratios.indexOf([...ratios].sort((a, b) => a - b)[1])];
    expect(comparison.continuous.requestsPerSecond).toBe(median.continuous);
    expect(comparison.static.requestsPerSecond).toBe(median.static);
    expect(comparison.continuous.policy).toBe('continuous');
    expect(comparison.static.policy).toBe('static');
    expect(comparison.ratio).toBeCloseTo(comparison.continuous.requestsPerSecond / comparison.static.requestsPerSecond, 1);
  }, 30_000);
});
