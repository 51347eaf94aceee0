/**
 * AWQ-style activation-aware scaling (Lin et al. 2023), simplified to a per-matrix
 * grid search: input channels that see large activations matter more, so each
 * column j of W is multiplied by s_j = mean|x_j|^α before quantizing (and divided
 * back after), which gives salient channels finer steps. α ∈ {0, 0.1, …, 1} is
 * chosen per matrix to minimise ‖X·Wᵀ − X·Ŵᵀ‖² on calibration rows X. α = 0 is
 * plain group-wise quantization, so the search never does worse on X.
 */
import { dequantizeMatrix, type QuantBits, type QuantizedMatrix } from '@chainlm/model';
import { quantizeLinear } from './linear-quant.js';

export interface Calibration {
  /** [numRows, cols] input activations seen by this matrix. */
  rows: Float32Array;
  numRows: number;
}

export interface AwqResult {
  matrix: QuantizedMatrix;
  alpha: number;
  /** Output error with the chosen α, and with α = 0 (plain). */
  error: number;
  plainError: number;
}

export function channelMeans(calibration: Calibration, cols: number): Float32Array {
  const means = new Float32Array(cols);
  for (let row = 0; row < calibration.numRows; row++) for (let col = 0; col < cols; col++) means[col] += Math.abs(calibration.rows[row * cols + col]);
  for (let col = 0; col < cols; col++) means[col] = means[col] / Math.max(1, calibration.numRows) + 1e-8;
  return means;
}

/** ‖X·Wᵀ − X·Ŵᵀ‖² / rows. W, Ŵ: [out, in]; X: [numRows, in]. */
export function outputError(weights: Float32Array, approx: Float32Array, out: number, cols: number, calibration: Calibration): number {
  const diff = new Float32Array(weights.length);
  for (let index = 0; index < diff.length; index++) diff[index] = weights[index] - approx[index];
  let total = 0;
  for (let row = 0; row < calibration.numRows; row++) {
    const x = calibration.rows.subarray(row * cols, (row + 1) * cols);
    for (let o = 0; o < out; o++) {
      let dot = 0;
      const base = o * cols;
      for (let col = 0; col < cols; col++) dot += x[col] * diff[base + col];
      total += dot * dot;
    }
  }
  return total / Math.max(1, calibration.numRows);
}

export function awqQuantize(weights: Float32Array, out: number, cols: number, bits: QuantBits, groupSize: number, calibration: Calibration, grid = 11): AwqResult {
  const means = channelMeans(calibration, cols);
  const approx = new Float32Array(weights.length);
  let best: AwqResult | undefined;
  let plainError = Infinity;
  for (let step = 0; step < grid; step++) {
    const alpha = step / (grid - 1);
    const scales = alpha === 0 ? undefined : normalized(means, alpha);
    const matrix = quantizeLinear(weights, out, cols, bits, groupSize, scales);
    const error = outputError(weights, dequantizeMatrix(matrix, approx), out, cols, calibration);
    if (alpha === 0) plainError = error;
    if (!best || error < best.error) best = { matrix, alpha, error, plainError };
  }
  return { ...best!, plainError };
}

/** s = m^α scaled so that √(max·min) = 1, which keeps the scaled weights in range. */
function normalized(means: Float32Array, alpha: number): Float32Array {
  const scales = new Float32Array(means.length);
  let max = 0;
  let min = Infinity;
  for (let index = 0; index < means.length; index++) {
    scales[index] = means[index] ** alpha;
    max = Math.max(max, scales[index]);
    min = Math.min(min, scales[index]);
  }
  const middle = Math.sqrt(max * min);
  for (let index = 0; index < scales.length; index++) scales[index] /= middle;
  return scales;
}
