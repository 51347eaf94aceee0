/**
 * Cutting a tensor into equal row blocks, and joining them, at memcpy cost on wasm.
 *
 * The wasm backend's Slice (and so split/unstack, and concat's gradient) first copies
 * the *whole* input to JS (`readSync`) for every piece: cutting a [48·256, 256]
 * score tensor into 48 blocks copied 48 × 12.6 MB. `ChainlmSplitRows` is a kernel of
 * ours that copies each block straight out of the wasm heap; its gradient is a
 * concat, and `concatRows` is a concat whose gradient is this split. Other backends
 * use tf.split / tf.concat.
 */
import { tf } from '@chainlm/runtime';

const SPLIT_ROWS = 'ChainlmSplitRows';

/** The part of the wasm backend this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function registerSplitRows(): void {
  if (tf.getKernel(SPLIT_ROWS, 'wasm')) return;
  tf.registerKernel({
    kernelName: SPLIT_ROWS,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const pieces = (attrs as unknown as { pieces: number }).pieces;
      const heap = backend as unknown as WasmHeapBackend;
      const pieceShape = [x.shape[0]! / pieces, ...x.shape.slice(1)];
      const pieceSize = pieceShape.reduce((product, size) => product * size, 1);
      const outputs: tf.TensorInfo[] = [];
      for (let piece = 0; piece < pieces; piece++) {
        const out = heap.makeOutput(pieceShape, x.dtype);
        // Views are taken after makeOutput: growing the heap detaches older views.
        const source = heap.typedArrayFromHeap(x);
        heap.typedArrayFromHeap(out).set(source.subarray(piece * pieceSize, (piece + 1) * pieceSize));
        outputs.push(out);
      }
      return outputs;
    },
  });
  tf.registerGradient({
    kernelName: SPLIT_ROWS,
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => ({ x: () => tf.concat(dy as tf.Tensor[], 0) }),
  });
}

/** x [pieces·rows, ...] → pieces × [rows, ...]. Differentiable. */
export function splitRows<T extends tf.Tensor>(x: T, pieces: number): T[] {
  if (x.shape[0]! % pieces !== 0) throw new Error(`splitRows: ${x.shape[0]} rows do not divide into ${pieces} pieces`);
  if (pieces === 1) return [x];
  if (tf.getBackend() !== 'wasm') return tf.split(x, pieces, 0) as T[];
  registerSplitRows();
  return tf.engine().runKernel(SPLIT_ROWS, { x }, { pieces } as unknown as tf.NamedAttrMap) as unknown as T[];
}

/** Joins equal row blocks along axis 0; the gradient is splitRows. */
export function concatRows<T extends tf.Tensor>(parts: T[]): T {
  if (parts.length === 1) return parts[0]!;
  const join = tf.customGrad(((...args: unknown[]) => {
    const tensors = args.slice(0, parts.length) as tf.Tensor[];
    return { value: tf.concat(tensors, 0), gradFunc: (dy: tf.Tensor) => splitRows(dy, parts.length) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...tensors: tf.Tensor[]) => T;
  return join(...parts);
}
