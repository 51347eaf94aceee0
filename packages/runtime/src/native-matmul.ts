/**
 * Puts @chainlm/kernels' native SGEMM behind TensorFlow.js's wasm backend: BatchMatMul
 * (every tf.matMul, forward and backward) and _FusedMatMul (bias + linear/relu) are
 * re-registered so the wasm backend's tensors are multiplied in place, in its heap:
 *
 *   out = backend.makeOutput(shape)            may grow the heap, so only then
 *   heap = backend.wasm.HEAPF32                take the (new) view and the offsets
 *   sgemm(heap, a.memoryOffset/4, heap, b…, heap, out…)
 *
 * Anything the native path does not cover (non-float32, batch dims that broadcast
 * other than "same" or "one of them is 1", a bias that is not one value per column,
 * activations other than linear/relu, prelu weights) goes to the original wasm kernel,
 * kept from before the swap; setNativeMatmul(false) sends everything there (the
 * benchmark's "before" and the tests' wasm reference, in the same process).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { denseStrides, loadKernels, nativeBinding, type KernelsStatus, type NativeBinding } from '@chainlm/kernels';

const kernelNames = ['BatchMatMul', '_FusedMatMul'] as const;
const originals = new Map<string, tf.KernelConfig>();
let enabled = true;
let status: KernelsStatus | undefined;
const counts = { native: 0, fallback: 0 };

interface MatmulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

interface MatmulInputs {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  bias?: tf.TensorInfo;
  preluActivationWeights?: tf.TensorInfo;
}

const activations: Record<string, number> = { linear: 0, relu: 1 };

function size(shape: number[]): number {
  return shape.reduce((product, value) => product * value, 1);
}

// Emscripten replaces Module.HEAPF32 when the heap grows; HEAPU8 is typed, HEAPF32 is not.
function heapFloats(backend: BackendWasm): Float32Array {
  const module = backend.wasm as unknown as { HEAPF32?: Float32Array; HEAPU8: Uint8Array };
  const view = module.HEAPF32;
  return view !== undefined && view.buffer === module.HEAPU8.buffer ? view : new Float32Array(module.HEAPU8.buffer);
}

/** The product on the native kernels, or undefined when this call is not covered. */
function nativeMatmul(binding: NativeBinding, inputs: MatmulInputs, backend: BackendWasm, attrs: MatmulAttrs): tf.TensorInfo | undefined {
  const { a, b, bias, preluActivationWeights } = inputs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || preluActivationWeights != null) return undefined;
  const activation = activations[attrs.activation ?? 'linear'];
  if (activation === undefined) return undefined;
  const aRank = a.shape.length, bRank = b.shape.length;
  if (aRank < 2 || bRank < 2) return undefined;
  const { transposeA, transposeB } = attrs;
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== (transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2])) return undefined; // the original kernel throws tfjs's message
  const batchA = size(a.shape.slice(0, -2)), batchB = size(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  let outerDims: number[];
  try {
    outerDims = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return undefined;
  }
  const batch = Math.max(batchA, batchB);
  if (size(outerDims) !== batch) return undefined;
  if (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return undefined;

  const out = backend.makeOutput([...outerDims, m, n], 'float32');
  if (batch * m * n === 0) return out;
  const heap = heapFloats(backend); // after makeOutput: the heap may have grown
  const offset = (info: tf.TensorInfo) => backend.dataIdMap.get(info.dataId)!.memoryOffset / 4;
  const strides = denseStrides(m, n, k, transposeA, transposeB);
  binding.sgemm(
    heap, offset(a), heap, offset(b), heap, offset(out),
    batch, m, n, k,
    strides.aRow, strides.aCol, batchA === 1 ? 0 : m * k,
    strides.bRow, strides.bCol, batchB === 1 ? 0 : k * n,
    n, m * n,
    bias == null ? null : heap, bias == null ? 0 : offset(bias), activation, 0, 0,
  );
  return out;
}

/**
 * Registers the native matmuls on the wasm backend once per thread (call after
 * tf.setBackend('wasm')). Returns which path is live and why.
 */
export function installNativeMatmul(): KernelsStatus {
  if (status !== undefined) return status;
  const loaded = loadKernels();
  if (loaded.live !== 'native') return (status = loaded);
  const binding = nativeBinding();
  for (const kernelName of kernelNames) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original === undefined) return (status = { live: 'wasm', reason: `the wasm backend has no ${kernelName} kernel to replace` });
    originals.set(kernelName, original);
  }
  for (const kernelName of kernelNames) {
    const original = originals.get(kernelName)!;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        if (enabled) {
          const out = nativeMatmul(binding, args.inputs as unknown as MatmulInputs, args.backend as BackendWasm, args.attrs as unknown as MatmulAttrs);
          if (out !== undefined) {
            counts.native++;
            return out;
          }
        }
        counts.fallback++;
        return original.kernelFunc(args);
      },
    });
  }
  return (status = loaded);
}

/** Where the matmuls of this thread run now. */
export function nativeMatmulStatus(): KernelsStatus | undefined {
  if (status?.live === 'native' && !enabled) return { live: 'wasm', reason: 'turned off by setNativeMatmul(false)' };
  return status;
}

/** Routes matmuls to the original wasm kernels (false) or back to the native ones. */
export function setNativeMatmul(on: boolean): void {
  enabled = on;
}

/** How many matmuls each path has run in this thread (tests prove the path with it). */
export function nativeMatmulCounts(): { native: number; fallback: number } {
  return { ...counts };
}
