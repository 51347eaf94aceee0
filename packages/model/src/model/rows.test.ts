import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@chainlm/runtime';
import { concatRows, splitRows } from './rows.js';

beforeAll(async () => {
  expect((await initBackend()).backend).toBe('wasm'); // the kernel under test is the wasm one
});

describe('splitRows / concatRows', () => {
  it('cut and join row blocks in order', () => {
    tf.tidy(() => {
      const x = tf.range(0, 24).reshape([6, 4]);
      const parts = splitRows(x, 3);
      expect(parts.map((part) => part.shape)).toEqual([[2, 4], [2, 4], [2, 4]]);
      expect([...parts[1]!.dataSync()]).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
      expect([...concatRows(parts).dataSync()]).toEqual([...x.dataSync()]);
      expect(splitRows(x, 1)[0]).toBe(x);
    });
  });

  it('pass gradients through, including to pieces the loss does not use', () => {
    tf.tidy(() => {
      const x = tf.range(0, 12).reshape([6, 2]);
      const weights = tf.range(1, 13).reshape([6, 2]);
      const [through] = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(concatRows(splitRows(input, 3).map((part) => tf.mul(part, 1))), weights)))([x]);
      expect([...through!.dataSync()]).toEqual([...weights.dataSync()]);
      const [partial] = tf.grads((input: tf.Tensor) => tf.sum(splitRows(input, 3)[1]!))([x]);
      expect([...partial!.dataSync()]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
    });
  });

  it('rejects rows that do not divide', () => {
    expect(() => tf.tidy(() => splitRows(tf.zeros([5, 2]), 2))).toThrow(/5 rows do not divide into 2 pieces/);
  });
});
