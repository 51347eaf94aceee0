import { describe, expect, it } from 'vitest';
import {
  frequencyPenaltyProcessor, minPProcessor, presencePenaltyProcessor, repetitionPenaltyProcessor, softmax, temperatureProcessor, topKProcessor, topPProcessor,
  type LogitsContext,
} from './processors.js';

const context: LogitsContext = { ids: [0, 2, 2, 3, 3, 3], promptLength: 2 };
const row = (): Float32Array => Float32Array.of(2, 1, -1, 0.5, 3);

describe('logits processors, one rule each', () => {
  it('temperature divides every logit', () => {
    const logits = row();
    temperatureProcessor(0.5)(logits, context);
    expect([...logits]).toEqual([4, 2, -2, 1, 6]);
  });

  it('top-k keeps the k highest (ties with the k-th kept)', () => {
    const logits = row();
    topKProcessor(2)(logits, context);
    expect([...logits]).toEqual([2, -Infinity, -Infinity, -Infinity, 3]);
    const tied = Float32Array.of(1, 1, 1, 0);
    topKProcessor(2)(tied, context);
    expect([...tied]).toEqual([1, 1, 1, -Infinity]);
    const all = row();
    topKProcessor(10)(all, context);
    expect(all).toEqual(row());
  });

  it('top-p keeps the smallest most-likely set reaching p, at least one token', () => {
    // probabilities of [2, 1, -1, 0.5, 3] ≈ [0.23, 0.086, 0.012, 0.052, 0.63]
    const logits = row();
    topPProcessor(0.8)(logits, context);
    expect([...logits]).toEqual([2, -Infinity, -Infinity, -Infinity, 3]);
    const one = row();
    topPProcessor(0.01)(one, context);
    expect([...one].filter((value) => value !== -Infinity)).toEqual([3]);
    const untouched = row();
    topPProcessor(1)(untouched, context);
    expect(untouched).toEqual(row());
  });

  it('min-p removes tokens below p × the top probability', () => {
    const logits = row();
    minPProcessor(0.1)(logits, context); // threshold ≈ 0.063: keeps 0.23 and 0.086 and 0.63
    expect([...logits]).toEqual([2, 1, -Infinity, -Infinity, 3]);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens (prompt included)', () => {
    const logits = row();
    repetitionPenaltyProcessor(2)(logits, context);
    expect([...logits]).toEqual([1, 1, -2, 0.25, 3]);
  });

  it('presence and frequency penalties count generated tokens only', () => {
    const presence = row();
    presencePenaltyProcessor(0.5)(presence, context);
    expect([...presence]).toEqual([2, 1, -1.5, 0, 3]);
    const frequency = row();
    frequencyPenaltyProcessor(0.5)(frequency, context);
    expect([...frequency]).toEqual([2, 1, -1.5, -1, 3]); // token 2 generated once, token 3 three times
  });

  it('softmax gives removed tokens zero probability', () => {
    const probabilities = softmax(Float32Array.of(0, -Infinity, 0));
    expect([...probabilities]).toEqual([0.5, 0, 0.5]);
  });
});
