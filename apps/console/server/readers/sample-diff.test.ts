import { describe, expect, it } from 'vitest';
import type { EvalSample } from './eval-samples.js';
import { diffSamples, sampleOutcome } from './sample-diff.js';

const graded = (index: number, correct: boolean, prompt = `${index}+${index}=`): EvalSample => ({ index, prompt, prediction: correct ? String(index * 2) : '?', reference: String(index * 2), correct, score: null });
const scored = (index: number, score: number): EvalSample => ({ index, prompt: 'p', prediction: 'x', reference: 'y', correct: null, score });

describe('diffSamples', () => {
  it('sorts joined samples into A right / B wrong, the reverse, both right and both wrong, with counts', () => {
    const a = [graded(0, true), graded(1, true), graded(2, false), graded(3, false)];
    const b = [graded(3, false), graded(2, true), graded(1, false), graded(0, true)];
    const diff = diffSamples(a, b);
    expect(diff.samples.map((sample) => [sample.index, sample.outcome])).toEqual([[0, 'both-right'], [1, 'a-wins'], [2, 'b-wins'], [3, 'both-wrong']]);
    expect(diff.counts).toEqual({ 'a-wins': 1, 'b-wins': 1, 'both-right': 1, 'both-wrong': 1, tie: 0 });
    expect(diff.samples[1]).toEqual({ index: 1, outcome: 'a-wins', prompt: '1+1=', promptB: null, reference: '2', predictionA: '2', predictionB: '?', correctA: true, correctB: false, scoreA: null, scoreB: null });
    expect([diff.onlyInA, diff.onlyInB]).toEqual([0, 0]);
  });

  it('counts samples only one run has, and shows B\'s prompt when the template changed', () => {
    const diff = diffSamples([graded(0, true), graded(1, true)], [graded(1, true, 'Q: 1+1\nA:'), graded(2, true), graded(5, false)]);
    expect(diff.samples).toHaveLength(1);
    expect(diff.samples[0]).toMatchObject({ prompt: '1+1=', promptB: 'Q: 1+1\nA:' });
    expect([diff.onlyInA, diff.onlyInB]).toEqual([1, 2]);
  });

  it('compares score-only samples by score, equal scores being a tie', () => {
    expect(sampleOutcome(scored(0, 0.7), scored(0, 0.2))).toBe('a-wins');
    expect(sampleOutcome(scored(0, 0.2), scored(0, 0.7))).toBe('b-wins');
    expect(sampleOutcome(scored(0, 0.5), scored(0, 0.5))).toBe('tie');
    expect(sampleOutcome(graded(0, true), scored(0, 0.5))).toBe('a-wins');
  });
});
