import { describe, expect, it } from 'vitest';
import { buildStepLayout, maskedOut, splitRun, type LayoutSequence } from './step-layout.js';

describe('buildStepLayout', () => {
  it('groups consecutive decodes, gives each prefill chunk its own group, and maps slots through block tables', () => {
    const layout = buildStepLayout(
      [
        { start: 4, numTokens: 1, blockTable: [3, 1] },
        { start: 1, numTokens: 1, blockTable: [0] },
        { start: 2, numTokens: 2, blockTable: [2, 5] },
      ],
      3,
      1,
    );
    expect(Array.from(layout.writeSlots)).toEqual([4, 1, 8, 15]);
    expect(layout.groups.map((group) => [group.rowStart, group.batch, group.queryLength, group.keyLength])).toEqual([[0, 2, 1, 5], [2, 1, 2, 4]]);
    // Padding keys of the shorter decode are slot −1 (stores skip them) and are masked.
    expect(Array.from(layout.groups[0].keySlots)).toEqual([9, 10, 11, 3, 4, 0, 1, -1, -1, -1]);
    expect(Array.from(layout.groups[0].mask)).toEqual([0, 0, 0, 0, 0, 0, 0, maskedOut, maskedOut, maskedOut]);
    // Causal within the chunk: row at position 2 sees keys 0..2, row at 3 sees 0..3.
    expect(Array.from(layout.groups[1].mask)).toEqual([0, 0, 0, maskedOut, 0, 0, 0, 0]);
  });

  it('batches equal-length prefill chunks into one group, padding the shorter history', () => {
    const layout = buildStepLayout(
      [
        { start: 0, numTokens: 2, blockTable: [0] },
        { start: 1, numTokens: 2, blockTable: [1] },
      ],
      4,
      1,
    );
    expect(layout.groups.map((group) => [group.batch, group.queryLength, group.keyLength])).toEqual([[2, 2, 3]]);
    expect(Array.from(layout.groups[0].mask)).toEqual([0, maskedOut, maskedOut, 0, 0, maskedOut, 0, 0, maskedOut, 0, 0, 0]);
  });

  it('repeats the mask for every query head sharing a KV head', () => {
    const layout = buildStepLayout([{ start: 0, numTokens: 2, blockTable: [0] }], 4, 2);
    expect(Array.from(layout.groups[0].mask)).toEqual([0, maskedOut, 0, 0, 0, maskedOut, 0, 0]);
  });

  it('splits a run of decodes where a group costs less than the padding it saves', () => {
    const decode = (start: number): LayoutSequence => ({ start, numTokens: 1, blockTable: [0, 1, 2, 3, 4, 5, 6, 7] });
    const run = [decode(3), decode(4), decode(99), decode(100)];
    // Padding all four to 101 keys: 404 pairs + 1 group; two groups: 2·5 + 2·101 = 212 pairs + 2 groups.
    expect(splitRun(run, 10).map((part) => part.map((sequence) => sequence.start))).toEqual([[3, 4], [99, 100]]);
    expect(splitRun(run, 500)).toHaveLength(1);
    expect(splitRun(run, 0)).toHaveLength(1);
    const layout = buildStepLayout(run, 16, 1, 10);
    expect(layout.groups.map((group) => [group.rowStart, group.batch, group.keyLength])).toEqual([[0, 2, 5], [2, 2, 101]]);
  });
});
