import { mulberry32 } from '@chainlm/core';
import { describe, expect, it } from 'vitest';
import { mapWithLimit, Semaphore } from './pool.js';
import { mixSeed, sampleIndices } from './random.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through, then waits 1/rate per request (fake clock)', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const bucket = new TokenBucket({
      ratePerSecond: 4,
      burst: 2,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 5; i++) await bucket.acquire();
    expect(sleeps).toEqual([250, 250, 250]);
    expect(now).toBe(750);
    now += 10_000; // idle: refills to the burst, not beyond
    await bucket.acquire();
    await bucket.acquire();
    await bucket.acquire();
    expect(sleeps).toEqual([250, 250, 250, 250]);
  });
});

describe('pools', () => {
  it('mapWithLimit keeps order and the limit', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapWithLimit([5, 1, 4, 2, 3], 2, async (value) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolveWait) => setTimeout(resolveWait, value));
      active--;
      return value * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('Semaphore serialises beyond its limit', async () => {
    const semaphore = new Semaphore(1);
    const order: string[] = [];
    await Promise.all(['a', 'b', 'c'].map((name) => semaphore.run(async () => {
      order.push(`${name}+`);
      await Promise.resolve();
      order.push(`${name}-`);
    })));
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });
});

describe('seeded randomness', () => {
  it('is reproducible and samples without replacement', () => {
    expect(mulberry32(1)()).toBe(mulberry32(1)());
    expect(mixSeed(3, 4)).not.toBe(mixSeed(3, 5));
    const picks = sampleIndices(10, 4, mulberry32(9));
    expect(new Set(picks).size).toBe(4);
    expect(sampleIndices(3, 10, mulberry32(9)).sort()).toEqual([0, 1, 2]);
  });
});
