import { describe, expect, it } from 'vitest';
import { JsonConstraint } from './json-constraint.js';

// A toy vocabulary: id → text; 0 is EOS.
const texts = ['', '{', '}', '"a"', ':', '1', ' ', 'x', ',', '[', ']'];

function greedy(constraint: JsonConstraint, preference: number[], steps = 20): string {
  const generated: number[] = [];
  for (let step = 0; step < steps; step++) {
    const logits = new Float32Array(texts.length);
    preference.forEach((id, rank) => (logits[id] = 100 - rank));
    const masked = constraint.mask(0, generated, logits);
    let best = -1;
    for (let id = 0; id < masked.length; id++) if (masked[id] > -Infinity && (best < 0 || masked[id] > masked[best])) best = id;
    if (best === 0) break;
    generated.push(best);
  }
  return generated.map((id) => texts[id]).join('');
}

describe('JsonConstraint', () => {
  it('steers a model that prefers junk into a complete JSON object, then only allows EOS', () => {
    const constraint = new JsonConstraint({ tokenTexts: texts, eosIds: [0], requireObject: true });
    // Prefers "x", then EOS, then "a" ...: each step takes the best token that keeps valid JSON.
    const text = greedy(constraint, [7, 0, 3, 4, 5, 2, 1]);
    expect(text).toBe('{"a":"a"}');
  });

  it('only allows EOS once the value is complete', () => {
    const constraint = new JsonConstraint({ tokenTexts: texts, eosIds: [0], requireObject: true });
    const masked = constraint.mask(0, [1, 3, 4, 5, 2], new Float32Array(texts.length).fill(1));
    expect(Array.from(masked).map((value) => value > -Infinity)).toEqual(texts.map((_, id) => id === 0));
  });

  it('requires an object at the top level for json_object', () => {
    const constraint = new JsonConstraint({ tokenTexts: texts, eosIds: [0], requireObject: true });
    const masked = constraint.mask(0, [], new Float32Array(texts.length).fill(1));
    expect(texts.filter((_, id) => masked[id] > -Infinity)).toEqual(['{', ' ']);
  });
});
