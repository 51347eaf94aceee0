import type { MetricsLine } from '@chainlm/train';
import { describe, expect, it } from 'vitest';
import { lossCurves } from './loss-curves.js';

const step = (index: number, loss: number): MetricsLine => ({ step: index, loss, lr: 0.001, gradNorm: 1, tokensPerSecond: 100 * index, elapsed: index / 2, tokens: index * 512, epoch: 0 });

describe('lossCurves', () => {
  it('gives train and validation loss by step and tokens, and the summary row', () => {
    const curves = lossCurves([step(1, 4), step(2, 3), { step: 2, valLoss: 3.5, valPerplexity: 33 }, step(3, 2.5), { step: 4, valLoss: 3.1, valPerplexity: 22 }]);
    expect(curves.train).toEqual([{ step: 1, tokens: 512, value: 4 }, { step: 2, tokens: 1024, value: 3 }, { step: 3, tokens: 1536, value: 2.5 }]);
    expect(curves.validation).toEqual([{ step: 2, tokens: 1024, value: 3.5 }, { step: 4, tokens: null, value: 3.1 }]);
    expect(curves.summary).toEqual({ steps: 3, tokens: 1536, finalLoss: 2.5, bestValLoss: 3.1, tokensPerSecond: 200, elapsed: 1.5 });
  });

  it('averages windows of steps down to maxPoints, ending on the last step', () => {
    const lines = Array.from({ length: 25 }, (_, index) => step(index + 1, index + 1));
    const curves = lossCurves(lines, 10);
    expect(curves.train.map((point) => point.step)).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 25]);
    expect(curves.train[0].value).toBe(2); // mean of losses 1, 2, 3
    expect(curves.train.at(-1)).toEqual({ step: 25, tokens: 25 * 512, value: 25 });
  });

  it('has an empty summary for a run with no steps yet', () => {
    expect(lossCurves([])).toEqual({ train: [], validation: [], summary: { steps: 0, tokens: 0, finalLoss: null, bestValLoss: null, tokensPerSecond: null, elapsed: null } });
  });
});
