/**
 * Kernels the wasm backend lacks but training needs, registered once.
 *
 * UnsortedSegmentSum is the gradient of `gather` (embedding lookups). It is a
 * scatter-add: out[segmentIds[i], :] += x[i, :]. It runs in JS over the wasm heap
 * views; for an embedding gradient it is O(tokens × dim), far below the matmuls.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

let registered = false;

export function registerWasmExtraKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as BackendWasm;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const rowSize = x.shape.slice(1).reduce((product, size) => product * size, 1);
      const rows = x.shape[0] ?? 0;
      const outShape = [numSegments, ...x.shape.slice(1)];
      const values = wasm.typedArrayFromHeap(x) as Float32Array;
      const ids = wasm.typedArrayFromHeap(segmentIds);
      const sums = new Float32Array(numSegments * rowSize);
      for (let row = 0; row < rows; row++) {
        const segment = Number(ids[row]);
        if (segment < 0 || segment >= numSegments) continue;
        const from = row * rowSize;
        const to = segment * rowSize;
        for (let column = 0; column < rowSize; column++) sums[to + column] += values[from + column];
      }
      return wasm.makeOutput(outShape, x.dtype, undefined, sums);
    },
  });
}
