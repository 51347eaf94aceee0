import { describe, expect, it } from 'vitest';
import type { ScheduledSequence } from '../scheduler/scheduler.js';
import type { Sequence } from '../scheduler/sequence.js';
import { attentionOrder, groupCostPairs } from './model-runner.js';

const entry = (id: number, start: number, numTokens: number): ScheduledSequence => ({ sequence: { id } as Sequence, start, numTokens, blockTable: [], sampleCount: 1, copies: [] });

describe('attention order', () => {
  it('puts equal chunk lengths together, shortest context first, ties in scheduler order', () => {
    const ordered = attentionOrder([entry(1, 90, 1), entry(2, 0, 8), entry(3, 5, 1), entry(4, 0, 3), entry(5, 5, 1), entry(6, 16, 8)]);
    expect(ordered.map((scheduled) => scheduled.sequence.id)).toEqual([3, 5, 1, 4, 2, 6]);
  });

  it('sizes a group’s fixed cost from the head width (tiny 4×32, s15 6×48)', () => {
    expect(groupCostPairs(4, 32)).toBe(703);
    expect(groupCostPairs(6, 48)).toBe(313);
  });
});
