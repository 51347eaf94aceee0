import { describe, expect, it } from 'vitest';
import { awqQuantize, outputError } from './awq.js';
import { dequantizeMatrix, quantizedBytes } from '@chainlm/model';
import { quantizeLinear } from './linear-quant.js';

function values(count: number, seed = 1) {
  const out = new Float32Array(count);
  for (let index = 0; index < count; index++) out[index] = Math.sin(index * 12.9898 + seed) * 0.5;
  return out;
}

describe('group-wise quantization', () => {
  it('int8 round-trips within half a step per group and stores one byte per weight', () => {
    const weights = values(8 * 32);
    const matrix = quantizeLinear(weights, 8, 32, 8, 16);
    const back = dequantizeMatrix(matrix);
    for (let index = 0; index < weights.length; index++) expect(Math.abs(back[index] - weights[index])).toBeLessThanOrEqual(matrix.scales[Math.floor(index / 16)] / 2 + 1e-7);
    expect(quantizedBytes(matrix)).toBe(8 * 32 + 8 * 2 * 4);
  });

  it('int4 packs two weights a byte and is exact on a 16-level grid', () => {
    const levels = Float32Array.from({ length: 32 }, (_, index) => -0.4 + (index % 16) * 0.05);
    const matrix = quantizeLinear(levels, 2, 16, 4, 16);
    expect(matrix.codes.length).toBe(16);
    const back = dequantizeMatrix(matrix);
    for (let index = 0; index < levels.length; index++) expect(back[index]).toBeCloseTo(levels[index], 5);
  });

  it('rejects a group size that does not divide the columns', () => {
    expect(() => quantizeLinear(values(30), 1, 30, 4, 16)).toThrow(/groupSize 16 does not divide .* 30/);
  });

  it('AWQ scaling lowers the output error when a few input channels carry large activations', () => {
    const out = 16;
    const cols = 64;
    const weights = values(out * cols, 3);
    const numRows = 32;
    const rows = new Float32Array(numRows * cols);
    for (let row = 0; row < numRows; row++) for (let col = 0; col < cols; col++) rows[row * cols + col] = (col % 16 === 0 ? 40 : 0.2) * Math.cos(row * 7 + col);
    const calibration = { rows, numRows };
    const result = awqQuantize(weights, out, cols, 4, 32, calibration);
    expect(result.alpha).toBeGreaterThan(0);
    expect(result.error).toBeLessThan(result.plainError * 0.8);
    expect(outputError(weights, dequantizeMatrix(result.matrix), out, cols, calibration)).toBeCloseTo(result.error, 3);
  });
});
