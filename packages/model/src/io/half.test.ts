import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './half.js';

describe('half and bfloat16 conversion', () => {
  it('round-trips every one of the 65,536 half bit patterns (NaNs stay NaN)', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const value = halfToFloat(bits);
      if (Number.isNaN(value)) expect(Number.isNaN(halfToFloat(floatToHalf(value)))).toBe(true);
      else expect(floatToHalf(value)).toBe(bits);
    }
  });

  it('round-trips every bfloat16 bit pattern that is not NaN', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const value = bfloat16ToFloat(bits);
      if (!Number.isNaN(value)) expect(floatToBfloat16(value)).toBe(bits);
      else expect(Number.isNaN(bfloat16ToFloat(floatToBfloat16(value)))).toBe(true);
    }
  });

  it('rounds to nearest, ties to even, and saturates to infinity', () => {
    // 1 + 2^-11 is exactly halfway between half 1.0 (0x3c00) and the next (0x3c01): ties to even → 0x3c00.
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(-1e9)).toBe(0xfc00);
    expect(floatToHalf(2 ** -25)).toBe(0);
    expect(floatToHalf(2 ** -24)).toBe(1);
    expect(floatToHalf(3 * 2 ** -25)).toBe(2);
    expect(floatToBfloat16(1 + 2 ** -8)).toBe(0x3f80);
    expect(floatToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(floatToBfloat16(3.4e38)).toBe(0x7f80);
  });
});
