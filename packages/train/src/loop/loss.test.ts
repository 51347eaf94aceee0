import { initBackend, tf } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskedCrossEntropySum } from './loss.js';

beforeAll(async () => {
  await initBackend();
});

/** Reference in float64: Σ mask · (log Σ exp(x) − x[target]). */
function reference(logits: number[][], targets: number[], mask: number[]): number {
  let total = 0;
  logits.forEach((row, index) => {
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0));
    total += mask[index] * (lse - row[targets[index]]);
  });
  return total;
}

describe('maskedCrossEntropySum', () => {
  it('equals the float64 reference and skips masked positions', () => {
    const rows = [
      [0.1, 2.0, -1.0, 0.5],
      [3.0, 0.0, 0.0, -2.0],
      [-0.5, -0.5, 4.0, 1.0],
      [1.0, 1.0, 1.0, 1.0],
    ];
    const targets = [1, 3, 2, 0];
    const mask = [1, 1, 0, 1];
    const loss = maskedCrossEntropySum(
      tf.tensor3d(rows.flat(), [2, 2, 4]),
      tf.tensor2d(targets, [2, 2], 'int32'),
      tf.tensor2d(mask, [2, 2]),
    );
    expect(loss.dataSync()[0]).toBeCloseTo(reference(rows, targets, mask), 5);
  });

  it('stays finite for huge logits', () => {
    const loss = maskedCrossEntropySum(tf.tensor3d([1000, -1000, 0, 500], [1, 1, 4]), tf.tensor2d([[3]], [1, 1], 'int32'), tf.tensor2d([[1]], [1, 1]));
    expect(loss.dataSync()[0]).toBeCloseTo(500, 3);
  });

  it('has gradient softmax − onehot on counted rows and 0 on masked rows', () => {
    const logits = tf.tensor3d([0, Math.log(3), 1, 2], [1, 2, 2]);
    const grad = tf.grad((x: tf.Tensor) => maskedCrossEntropySum(x as tf.Tensor3D, tf.tensor2d([[0, 1]], [1, 2], 'int32'), tf.tensor2d([[1, 0]], [1, 2])))(logits);
    const values = Array.from(grad.dataSync());
    // Row 0: softmax = [1/4, 3/4], target 0 → [−3/4, 3/4]. Row 1 masked.
    expect(values[0]).toBeCloseTo(-0.75, 5);
    expect(values[1]).toBeCloseTo(0.75, 5);
    expect(values.slice(2)).toEqual([0, 0]);
  });
});
