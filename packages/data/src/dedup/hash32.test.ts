import { describe, expect, it } from 'vitest';
import { nfkc } from '../records/nfkc.js';
import { normalizeForDedup } from './exact-key.js';
import { fmix32, windowHashes } from './hash32.js';

describe('windowHashes', () => {
  it('equals the polynomial of each window computed from scratch', () => {
    const values = Uint32Array.from({ length: 40 }, (_, index) => fmix32(index * 7919 + 1));
    for (const n of [1, 3, 10, 40]) {
      const out = new Uint32Array(40);
      const windows = windowHashes(values, values.length, n, 99, out);
      expect(windows).toBe(values.length - n + 1);
      for (let start = 0; start < windows; start++) {
        let hash = 0;
        for (let offset = 0; offset < n; offset++) hash = (Math.imul(hash, 0x9e3779b1) + values[start + offset]) | 0;
        expect(out[start]).toBe(fmix32(hash + 99));
      }
    }
    expect(windowHashes(values, 3, 5, 0, new Uint32Array(1))).toBe(0);
  });
});

describe('normalizeForDedup', () => {
  it('collapses whitespace exactly like replace(/\\s+/g, " ")', () => {
    const alphabet = ['a', 'B', ' ', ' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u2028', 'é', 'Ｆ'];
    let state = 7;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % alphabet.length;
    for (let trial = 0; trial < 2000; trial++) {
      const text = Array.from({ length: 1 + (trial % 17) }, () => alphabet[next()]).join('');
      expect(normalizeForDedup(text)).toBe(nfkc(text).toLowerCase().replace(/\s+/g, ' ').trim());
    }
  });
});
