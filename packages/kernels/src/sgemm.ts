/**
 * C = act(A·B + bias) in float32 on the native kernels, for dense row-major operands
 * (optionally transposed, optionally batched with any batch stride, 0 = broadcast).
 *
 *   A: [batch][m, k]   ([k, m] when transposeA)
 *   B: [batch][k, n]   ([n, k] when transposeB)
 *   C: [batch][m, n]
 *
 * Deterministic: the same inputs give bit-identical C for any thread count (threads
 * split the output, never the k sum).
 */
import { nativeBinding } from './load.js';

export interface SgemmOptions {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  m: number;
  n: number;
  k: number;
  batch?: number;
  transposeA?: boolean;
  transposeB?: boolean;
  /** Element offsets of each operand's first element in its array. */
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  /** Elements between batches; default dense (m·k, k·n, m·n); 0 reuses one matrix for every batch. */
  aBatchStride?: number;
  bBatchStride?: number;
  cBatchStride?: number;
  /** n values added to every row of C. */
  bias?: Float32Array;
  biasOffset?: number;
  activation?: 'linear' | 'relu';
  /** C += A·B instead of C = A·B. */
  accumulate?: boolean;
  /** Threads for this call (≤ the configured count); default the configured count. */
  threads?: number;
}

export interface GemmStrides {
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
}

/** Element strides of dense row-major A and B under the transposes. */
export function denseStrides(m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): GemmStrides {
  return {
    aRow: transposeA ? 1 : k,
    aCol: transposeA ? m : 1,
    bRow: transposeB ? 1 : n,
    bCol: transposeB ? k : 1,
  };
}

export function sgemm(options: SgemmOptions): void {
  const { m, n, k } = options;
  const batch = options.batch ?? 1;
  const strides = denseStrides(m, n, k, options.transposeA ?? false, options.transposeB ?? false);
  nativeBinding().sgemm(
    options.a, options.aOffset ?? 0, options.b, options.bOffset ?? 0, options.c, options.cOffset ?? 0,
    batch, m, n, k,
    strides.aRow, strides.aCol, options.aBatchStride ?? m * k,
    strides.bRow, strides.bCol, options.bBatchStride ?? k * n,
    n, options.cBatchStride ?? m * n,
    options.bias ?? null, options.biasOffset ?? 0, options.activation === 'relu' ? 1 : 0, options.accumulate ? 1 : 0, options.threads ?? 0,
  );
}
