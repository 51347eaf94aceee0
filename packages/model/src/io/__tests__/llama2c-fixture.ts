/**
 * Writes small llama2.c checkpoints the way karpathy's export.py does (legacy_export /
 * version1_export), from per-kind Meta-layout tensors, so the reader is tested
 * against the format rather than against itself.
 */
import { writeFileSync } from 'node:fs';

export interface FixtureSpec {
  dim: number;
  hiddenDim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocabSize: number;
  seqLen: number;
  shared: boolean;
  theta?: number;
}

export type FixtureKind = 'embedding' | 'rmsAtt' | 'wq' | 'wk' | 'wv' | 'wo' | 'rmsFfn' | 'w1' | 'w2' | 'w3' | 'rmsFinal' | 'wcls';

/** Per-kind tensors, stacked over layers where per-layer: deterministic pseudo-random values. */
export function fixtureTensors(spec: FixtureSpec, seed = 1): Record<FixtureKind, Float32Array> {
  const kvDim = (spec.dim / spec.heads) * spec.kvHeads;
  const sizes: Record<FixtureKind, number> = {
    embedding: spec.vocabSize * spec.dim,
    rmsAtt: spec.layers * spec.dim,
    wq: spec.layers * spec.dim * spec.dim,
    wk: spec.layers * kvDim * spec.dim,
    wv: spec.layers * kvDim * spec.dim,
    wo: spec.layers * spec.dim * spec.dim,
    rmsFfn: spec.layers * spec.dim,
    w1: spec.layers * spec.hiddenDim * spec.dim,
    w2: spec.layers * spec.dim * spec.hiddenDim,
    w3: spec.layers * spec.hiddenDim * spec.dim,
    rmsFinal: spec.dim,
    wcls: spec.vocabSize * spec.dim,
  };
  let state = seed;
  const out = {} as Record<FixtureKind, Float32Array>;
  for (const [kind, size] of Object.entries(sizes) as [FixtureKind, number][]) {
    out[kind] = new Float32Array(size).map(() => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    });
  }
  return out;
}

function ropeTables(spec: FixtureSpec): [Float32Array, Float32Array] {
  const half = spec.dim / spec.heads / 2;
  const real = new Float32Array(spec.seqLen * half);
  const imag = new Float32Array(spec.seqLen * half);
  for (let position = 0; position < spec.seqLen; position++) {
    for (let pair = 0; pair < half; pair++) {
      const angle = position * (spec.theta ?? 10000) ** (-(2 * pair) / (2 * half));
      real[position * half + pair] = Math.cos(angle);
      imag[position * half + pair] = Math.sin(angle);
    }
  }
  return [real, imag];
}

function concat(parts: (Uint8Array | Float32Array)[]): Buffer {
  return Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
}

export function writeLegacyFixture(file: string, spec: FixtureSpec, tensors: Record<FixtureKind, Float32Array>): void {
  const header = new Int32Array([spec.dim, spec.hiddenDim, spec.layers, spec.heads, spec.kvHeads, spec.shared ? spec.vocabSize : -spec.vocabSize, spec.seqLen]);
  const order: FixtureKind[] = ['embedding', 'rmsAtt', 'wq', 'wk', 'wv', 'wo', 'rmsFfn', 'w1', 'w2', 'w3', 'rmsFinal'];
  const parts: (Uint8Array | Float32Array)[] = [header, ...order.map((kind) => tensors[kind]), ...ropeTables(spec)];
  if (!spec.shared) parts.push(tensors.wcls);
  writeFileSync(file, concat(parts));
}

export function writeVersion1Fixture(file: string, spec: FixtureSpec, tensors: Record<FixtureKind, Float32Array>): void {
  const header = Buffer.alloc(256);
  header.writeUInt32LE(0x616b3432, 0);
  header.writeInt32LE(1, 4);
  [spec.dim, spec.hiddenDim, spec.layers, spec.heads, spec.kvHeads, spec.vocabSize, spec.seqLen].forEach((value, index) => header.writeInt32LE(value, 8 + 4 * index));
  header[36] = spec.shared ? 1 : 0;
  const order: FixtureKind[] = ['rmsAtt', 'rmsFfn', 'rmsFinal', 'embedding', 'wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3'];
  const parts: (Uint8Array | Float32Array)[] = [header, ...order.map((kind) => tensors[kind])];
  if (!spec.shared) parts.push(tensors.wcls);
  writeFileSync(file, concat(parts));
}
