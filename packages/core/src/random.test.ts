import { describe, expect, it } from 'vitest';
import { SeededRandom, mulberry32 } from './random.js';

describe('SeededRandom', () => {
  it('draws the reference mulberry32 stream', () => {
    // Values of the published mulberry32 (seed 0 starts 0.2664292086847126…); any change
    // to the generator would change every seeded dataset, sample and training run.
    const zero = new SeededRandom(0);
    expect([zero.next(), zero.next()]).toEqual([0.26642920868471265, 0.0003297457005828619]);
    const random = new SeededRandom(42);
    expect([random.next(), random.next(), random.next()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(random.state).toBe(1199730185);
  });

  it('resumes the same stream from a saved state', () => {
    const random = new SeededRandom(7);
    random.next();
    const saved = random.state;
    const expected = [random.next(), random.next(), random.next()];
    const resumed = new SeededRandom(saved);
    expect([resumed.next(), resumed.next(), resumed.next()]).toEqual(expected);
  });

  it('reduces seeds to uint32, so -1 and 2^32-1 are the same stream', () => {
    expect(new SeededRandom(-1).next()).toBe(new SeededRandom(2 ** 32 - 1).next());
    expect(new SeededRandom(2 ** 32 + 5).state).toBe(5);
  });

  it('keeps integers, picks and chances in range and uses every value', () => {
    const random = new SeededRandom(3);
    const seen = new Set<number>();
    for (let draw = 0; draw < 2000; draw++) {
      const below = random.below(4);
      const between = random.int(-2, 2);
      expect(below).toBeGreaterThanOrEqual(0);
      expect(below).toBeLessThan(4);
      expect(between).toBeGreaterThanOrEqual(-2);
      expect(between).toBeLessThanOrEqual(2);
      seen.add(between);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    expect(['a', 'b', 'c']).toContain(random.pick(['a', 'b', 'c']));
    expect(random.chance(0)).toBe(false);
    expect(random.chance(1)).toBe(true);
  });

  it('int and pick consume exactly one draw, the same as below', () => {
    const a = new SeededRandom(11);
    const b = new SeededRandom(11);
    expect(a.int(5, 9)).toBe(5 + b.below(5));
    expect(a.pick([10, 20, 30])).toBe([10, 20, 30][b.below(3)]);
    expect(a.state).toBe(b.state);
  });

  it('permutes 0..n-1 (Fisher–Yates, reference order for seed 1)', () => {
    expect(Array.from(new SeededRandom(1).permutation(10))).toEqual([7, 8, 3, 2, 1, 5, 9, 4, 0, 6]);
    expect(Array.from(new SeededRandom(1).permutation(0))).toEqual([]);
    const order = Array.from(new SeededRandom(2).permutation(50)).sort((a, b) => a - b);
    expect(order).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });
});

describe('mulberry32', () => {
  it('is SeededRandom.next as a function', () => {
    const next = mulberry32(42);
    const random = new SeededRandom(42);
    for (let draw = 0; draw < 5; draw++) expect(next()).toBe(random.next());
  });
});
