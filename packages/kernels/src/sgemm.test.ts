import { afterAll, describe, expect, it } from 'vitest';
import { configureKernels, loadKernels, nativeBinding, sgemm, type SgemmOptions } from './index.js';

// The addon must be built here (npm ci builds it); the wasm fallback has its own suite
// (tools/ci/kernels-off) and the runtime tests cover CHAINLM_KERNELS=wasm.
const status = loadKernels();
const native = status.live === 'native';
const supported = native ? status.supported : [];
const detected = native ? status.isa : 'none';
const cores = native ? status.threads : 1;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function filled(length: number, next: () => number): Float32Array {
  return Float32Array.from({ length }, next);
}

interface Case extends Omit<SgemmOptions, 'c'> {
  batch: number;
}

// float64 reference with the same addressing as the kernel; returns C and Σ|a·b| per element (the error scale).
function reference(spec: Case, cInitial?: Float32Array): { values: Float64Array; scale: Float64Array } {
  const { m, n, k, batch } = spec;
  const aStride = spec.aBatchStride ?? m * k, bStride = spec.bBatchStride ?? k * n;
  const values = new Float64Array(batch * m * n), scale = new Float64Array(batch * m * n);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0, magnitude = 0;
        for (let p = 0; p < k; p++) {
          const av = spec.a[(spec.aOffset ?? 0) + b * aStride + (spec.transposeA ? p * m + i : i * k + p)];
          const bv = spec.b[(spec.bOffset ?? 0) + b * bStride + (spec.transposeB ? j * k + p : p * n + j)];
          sum += av * bv;
          magnitude += Math.abs(av * bv);
        }
        const index = (b * m + i) * n + j;
        if (cInitial) sum += cInitial[index], magnitude += Math.abs(cInitial[index]);
        if (spec.bias) sum += spec.bias[j], magnitude += Math.abs(spec.bias[j]);
        if (spec.activation === 'relu') sum = Math.max(0, sum);
        values[index] = sum;
        scale[index] = magnitude;
      }
  return { values, scale };
}

function expectClose(actual: Float32Array, expected: { values: Float64Array; scale: Float64Array }, k: number): void {
  let worst = 0;
  for (let index = 0; index < expected.values.length; index++) {
    const tolerance = (k + 4) * 2 ** -23 * expected.scale[index] + 1e-30;
    worst = Math.max(worst, Math.abs(actual[index] - expected.values[index]) / tolerance);
  }
  expect(worst).toBeLessThanOrEqual(1);
}

function makeCase(seed: number, m: number, n: number, k: number, extra: Partial<Case> = {}): Case {
  const next = random(seed);
  const batch = extra.batch ?? 1;
  const aCount = (extra.aBatchStride === 0 ? 1 : batch) * m * k, bCount = (extra.bBatchStride === 0 ? 1 : batch) * k * n;
  return { a: filled(aCount, next), b: filled(bCount, next), m, n, k, batch, ...extra };
}

const sizes = [1, 3, 17, 65, 257];
const transposes = [[false, false], [true, false], [false, true], [true, true]] as const;

describe.skipIf(!native)(`sgemm on the native kernels (${detected}, ${cores} threads)`, () => {
  afterAll(() => configureKernels({ isa: detected }));

  for (const isa of supported) {
    it(`${isa}: matches a float64 reference on odd shapes and every transpose`, () => {
      configureKernels({ isa });
      let seed = 1;
      for (const [transposeA, transposeB] of transposes)
        for (const m of sizes)
          for (const n of [1, 17, 33, 257])
            for (const k of [1, 3, 65, 300]) {
              if (m * n * k > 2_000_000) continue;
              const spec = makeCase(seed++, m, n, k, { transposeA, transposeB });
              const c = new Float32Array(m * n).fill(Number.NaN);
              sgemm({ ...spec, c });
              expectClose(c, reference(spec), k);
            }
    });

    it(`${isa}: large blocked shapes cross every cache block (k > kc, m > mc, n > nc)`, () => {
      configureKernels({ isa });
      for (const [transposeA, transposeB] of [transposes[0], transposes[3]]) {
        const spec = makeCase(7, 150, 2090, 300, { transposeA, transposeB });
        const c = new Float32Array(150 * 2090);
        sgemm({ ...spec, c });
        expectClose(c, reference(spec), 300);
      }
    });

    it(`${isa}: batches with strides, broadcast (stride 0) and offsets; bias, relu and accumulate`, () => {
      configureKernels({ isa });
      const broadcastB = makeCase(11, 17, 65, 33, { batch: 3, bBatchStride: 0, transposeB: true });
      const c1 = new Float32Array(3 * 17 * 65);
      sgemm({ ...broadcastB, c: c1 });
      expectClose(c1, reference(broadcastB), 33);

      const broadcastA = makeCase(12, 5, 40, 257, { batch: 4, aBatchStride: 0, transposeA: true });
      const c2 = new Float32Array(4 * 5 * 40);
      sgemm({ ...broadcastA, c: c2 });
      expectClose(c2, reference(broadcastA), 257);

      // Operands inside larger arrays, as tensors live inside the wasm heap.
      const inner = makeCase(13, 9, 31, 20, { batch: 2 });
      const padded = (values: Float32Array, offset: number) => { const out = new Float32Array(values.length + offset + 7); out.set(values, offset); return out; };
      const cHeap = new Float32Array(2 * 9 * 31 + 10);
      sgemm({ ...inner, a: padded(inner.a, 5), aOffset: 5, b: padded(inner.b, 3), bOffset: 3, c: cHeap, cOffset: 10 });
      expectClose(cHeap.subarray(10), reference(inner), 20);

      const next = random(14);
      const fused = makeCase(15, 33, 70, 65, { bias: filled(70, next), activation: 'relu' });
      const c3 = new Float32Array(33 * 70);
      sgemm({ ...fused, c: c3 });
      expectClose(c3, reference(fused), 65);
      expect(c3.every((value) => value >= 0)).toBe(true);

      const plain = makeCase(16, 20, 50, 40);
      const start = filled(20 * 50, next);
      const c4 = Float32Array.from(start);
      sgemm({ ...plain, c: c4, accumulate: true });
      expectClose(c4, reference(plain, start), 40);
    });
  }

  it('k = 0 gives zeros (plus bias); empty m or n writes nothing', () => {
    const c = new Float32Array(6).fill(9);
    sgemm({ a: new Float32Array(0), b: new Float32Array(0), c, m: 2, n: 3, k: 0 });
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    sgemm({ a: new Float32Array(0), b: new Float32Array(0), c, m: 2, n: 3, k: 0, bias: Float32Array.from([1, 2, 3]) });
    expect(Array.from(c)).toEqual([1, 2, 3, 1, 2, 3]);
    const untouched = new Float32Array(2).fill(5);
    sgemm({ a: new Float32Array(4), b: new Float32Array(0), c: untouched, m: 2, n: 0, k: 2 });
    expect(Array.from(untouched)).toEqual([5, 5]);
  });

  it('is bit-identical run to run and for 1 or all threads', () => {
    for (const [m, n, k, batch] of [[256, 768, 288, 1], [1, 32000, 288, 1], [64, 64, 64, 12], [3, 2049, 300, 1]]) {
      for (const [transposeA, transposeB] of transposes) {
        const spec = makeCase(m + n + k, m, n, k, { batch, transposeA, transposeB });
        const results = [cores, cores, 1].map((threads) => {
          const c = new Float32Array(batch * m * n);
          sgemm({ ...spec, c, threads });
          return Buffer.from(c.buffer);
        });
        expect(results[1].equals(results[0])).toBe(true);
        expect(results[2].equals(results[0])).toBe(true);
      }
    }
  });

  it('refuses operands that reach past their arrays, negative sizes, wrong types and bad settings', () => {
    const spec = makeCase(20, 4, 4, 4);
    expect(() => sgemm({ ...spec, c: new Float32Array(15) })).toThrow(/c reaches element 15 of a 15-element array/);
    expect(() => sgemm({ ...spec, a: new Float32Array(15), c: new Float32Array(16) })).toThrow(/a reaches element/);
    expect(() => sgemm({ ...spec, b: spec.b, bOffset: 1, c: new Float32Array(16) })).toThrow(/b reaches element/);
    expect(() => sgemm({ ...spec, c: new Float32Array(16), bias: new Float32Array(3) })).toThrow(/bias reaches/);
    expect(() => sgemm({ ...spec, c: new Float32Array(16), m: -1 })).toThrow(/negative dimension/);
    expect(() => sgemm({ ...spec, c: new Float32Array(32), batch: 2, aBatchStride: 0, bBatchStride: 0, cBatchStride: 3 })).toThrow(/C batches may not overlap/);
    expect(() => sgemm({ ...spec, a: new Float64Array(16) as unknown as Float32Array, c: new Float32Array(16) })).toThrow(/must be a Float32Array/);
    expect(() => nativeBinding().configure(0)).toThrow(/threads must be 1..1024/);
    expect(() => configureKernels({ isa: 'sse9' })).toThrow(/no ISA 'sse9'/);
  });
});
