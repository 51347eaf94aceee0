/**
 * llama2.c checkpoints (karpathy/llama2.c export.py), little-endian float32:
 *  - v0 "legacy": 7 × int32 header [dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 *    vocab_size (negative = untied classifier at the end), seq_len], then
 *    token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final,
 *    freq_cis_real, freq_cis_imag [seq_len, head_dim/2] each, [wcls].
 *  - v1: uint32 magic "ak42", int32 version = 1, the 7 ints, a shared_classifier
 *    byte, zero padding to 256 bytes; then rms_att, rms_ffn, rms_final,
 *    token_embedding, wq, wk, wv, wo, w1, w2, w3, [wcls]; no RoPE table.
 * Per-layer tensors are stored stacked by kind ([n_layers, …] for all wq, then all wk…).
 * The output uses HF Llama names, with q/k rows permuted from Meta's interleaved RoPE
 * layout to HF's rotate_half layout.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { readExactly } from './file-chunks.js';
import { metaToHfRows } from './rope-permute.js';
import { missingFileError, weightFileError } from './errors.js';
import type { WeightMap } from './types.js';

export const llama2cMagic = 0x616b3432;

export interface Llama2cConfig {
  version: 0 | 1;
  dim: number;
  hiddenDim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocabSize: number;
  seqLen: number;
  sharedClassifier: boolean;
  /** Recovered from the stored RoPE table (v0); llama2.c's 10000 for v1. */
  ropeTheta: number;
}

export interface Llama2cCheckpoint {
  config: Llama2cConfig;
  /** HF-named weights; empty when read with `{ weights: false }`. */
  weights: WeightMap;
  /** Every weight's HF name and shape, in HF order (also without weights). */
  tensors: { name: string; shape: number[] }[];
  warnings: string[];
}

export interface ReadLlama2cOptions {
  /** false: read the header and RoPE table only (for inspect), not the weights. */
  weights?: boolean;
}

type Kind = 'rmsAtt' | 'rmsFfn' | 'rmsFinal' | 'embedding' | 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2' | 'w3' | 'freqReal' | 'freqImag' | 'wcls';

const legacyOrder: Kind[] = ['embedding', 'rmsAtt', 'wq', 'wk', 'wv', 'wo', 'rmsFfn', 'w1', 'w2', 'w3', 'rmsFinal', 'freqReal', 'freqImag', 'wcls'];
const version1Order: Kind[] = ['rmsAtt', 'rmsFfn', 'rmsFinal', 'embedding', 'wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3', 'wcls'];

/** HF name and per-layer shape of each stored kind; `perLayer` kinds are stacked over layers. */
function layout(config: Omit<Llama2cConfig, 'ropeTheta'>): Record<Kind, { name: string; shape: number[]; perLayer: boolean }> {
  const { dim, hiddenDim, vocabSize, seqLen } = config;
  const kvDim = (dim / config.heads) * config.kvHeads;
  const halfHead = dim / config.heads / 2;
  const layer = (suffix: string, shape: number[]) => ({ name: `model.layers.{i}.${suffix}`, shape, perLayer: true });
  return {
    embedding: { name: 'model.embed_tokens.weight', shape: [vocabSize, dim], perLayer: false },
    rmsAtt: layer('input_layernorm.weight', [dim]),
    wq: layer('self_attn.q_proj.weight', [dim, dim]),
    wk: layer('self_attn.k_proj.weight', [kvDim, dim]),
    wv: layer('self_attn.v_proj.weight', [kvDim, dim]),
    wo: layer('self_attn.o_proj.weight', [dim, dim]),
    rmsFfn: layer('post_attention_layernorm.weight', [dim]),
    w1: layer('mlp.gate_proj.weight', [hiddenDim, dim]),
    w2: layer('mlp.down_proj.weight', [dim, hiddenDim]),
    w3: layer('mlp.up_proj.weight', [hiddenDim, dim]),
    rmsFinal: { name: 'model.norm.weight', shape: [dim], perLayer: false },
    freqReal: { name: 'freq_cis_real', shape: [seqLen, halfHead], perLayer: false },
    freqImag: { name: 'freq_cis_imag', shape: [seqLen, halfHead], perLayer: false },
    wcls: { name: 'lm_head.weight', shape: [vocabSize, dim], perLayer: false },
  };
}

export async function readLlama2c(file: string, options: ReadLlama2cOptions = {}): Promise<Llama2cCheckpoint> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingFileError(file, 'llama2.c checkpoint', 'check the path to the .bin file');
    throw error;
  }
  try {
    const fileBytes = (await handle.stat()).size;
    const { config, dataStart } = await readHeader(file, handle, fileBytes);
    return await readBody(file, handle, fileBytes, config, dataStart, options.weights ?? true);
  } finally {
    await handle.close();
  }
}

async function readHeader(file: string, handle: FileHandle, fileBytes: number): Promise<{ config: Omit<Llama2cConfig, 'ropeTheta'>; dataStart: number }> {
  if (fileBytes < 28) throw weightFileError(file, `too short for a llama2.c checkpoint (${fileBytes} bytes)`, 'pass a .bin written by llama2.c export.py');
  const head = Buffer.alloc(Math.min(256, fileBytes));
  await readExactly(handle, head, 0, () => file);
  let ints: number[];
  let version: 0 | 1;
  let shared: boolean;
  let dataStart: number;
  if (head.readUInt32LE(0) === llama2cMagic) {
    const declared = head.readInt32LE(4);
    if (declared !== 1) {
      const why = declared === 2 ? 'version 2 (Q8_0-quantized) checkpoints are not supported' : `unknown llama2.c version ${declared}`;
      throw weightFileError(file, why, 're-export with `python export.py --version 1` (or 0) for float32 weights');
    }
    if (fileBytes < 256) throw weightFileError(file, 'version-1 header is shorter than 256 bytes', 'the file is truncated: re-export it');
    ints = Array.from({ length: 7 }, (_, index) => head.readInt32LE(8 + 4 * index));
    version = 1;
    shared = head[36] === 1;
    dataStart = 256;
  } else {
    ints = Array.from({ length: 7 }, (_, index) => head.readInt32LE(4 * index));
    version = 0;
    shared = ints[5] > 0;
    dataStart = 28;
  }
  const [dim, hiddenDim, layers, heads, kvHeads, rawVocab, seqLen] = ints;
  const config = { version, dim, hiddenDim, layers, heads, kvHeads, vocabSize: Math.abs(rawVocab), seqLen, sharedClassifier: shared };
  const fields = { dim, hidden_dim: hiddenDim, n_layers: layers, n_heads: heads, n_kv_heads: kvHeads, vocab_size: Math.abs(rawVocab), seq_len: seqLen };
  const hint = 'this is not a llama2.c checkpoint (or it is damaged): check the file';
  for (const [key, value] of Object.entries(fields)) {
    if (!(value > 0 && value < 1e7)) throw weightFileError(file, `header ${key} = ${value} is not a plausible size`, hint);
  }
  if (dim % heads !== 0 || (dim / heads) % 2 !== 0) throw weightFileError(file, `header dim ${dim} does not split into ${heads} heads of even size`, hint);
  if (heads % kvHeads !== 0) throw weightFileError(file, `header n_heads ${heads} is not a multiple of n_kv_heads ${kvHeads}`, hint);
  return { config, dataStart };
}

async function readBody(file: string, handle: FileHandle, fileBytes: number, config: Omit<Llama2cConfig, 'ropeTheta'>, dataStart: number, withWeights: boolean): Promise<Llama2cCheckpoint> {
  const shapes = layout(config);
  const order = (config.version === 0 ? legacyOrder : version1Order).filter((kind) => kind !== 'wcls' || !config.sharedClassifier);
  const size = (kind: Kind) => shapes[kind].shape.reduce((product, value) => product * value, 1) * (shapes[kind].perLayer ? config.layers : 1);
  const expected = dataStart + 4 * order.reduce((total, kind) => total + size(kind), 0);
  if (expected !== fileBytes) {
    throw weightFileError(
      file,
      `holds ${fileBytes} bytes but its v${config.version} header (dim ${config.dim}, hidden ${config.hiddenDim}, ${config.layers} layers, vocab ${config.vocabSize}, ${config.sharedClassifier ? 'shared' : 'separate'} classifier) needs ${expected}`,
      'the file is truncated or not a float32 llama2.c export: re-export it',
    );
  }
  const weights: WeightMap = new Map();
  const shapesByName = new Map<string, number[]>();
  const tables: Partial<Record<Kind, Float32Array>> = {};
  let position = dataStart;
  for (const kind of order) {
    const { name, shape, perLayer } = shapes[kind];
    const isTable = kind === 'freqReal' || kind === 'freqImag';
    for (let layer = 0; layer < (perLayer ? config.layers : 1); layer++) {
      const elements = shape.reduce((product, value) => product * value, 1);
      if (!isTable) shapesByName.set(name.replace('{i}', String(layer)), [...shape]);
      if (!isTable && !withWeights) {
        position += 4 * elements;
        continue;
      }
      const data = new Float32Array(elements);
      await readExactly(handle, new Uint8Array(data.buffer), position, () => `${file}: ${kind}`);
      position += data.byteLength;
      if (isTable) {
        tables[kind] = data;
        continue;
      }
      // Meta interleaved RoPE rows → HF rotate_half rows (k has the KV head count).
      const stored = kind === 'wq' ? metaToHfRows(data, config.heads, shape[0], shape[1]) : kind === 'wk' ? metaToHfRows(data, config.kvHeads, shape[0], shape[1]) : data;
      weights.set(name.replace('{i}', String(layer)), { shape: [...shape], dtype: 'F32', data: stored });
    }
  }
  const warnings: string[] = [];
  const ropeTheta = tables.freqReal && tables.freqImag ? thetaFromTable(tables.freqReal, tables.freqImag, config.dim / config.heads, warnings) : 10000;
  const tensors = hfOrder(config.layers)
    .filter((name) => shapesByName.has(name))
    .map((name) => ({ name, shape: shapesByName.get(name)! }));
  return { config: { ...config, ropeTheta }, weights: new Map(tensors.filter(({ name }) => weights.has(name)).map(({ name }) => [name, weights.get(name)!])), tensors, warnings };
}

/**
 * Recovers θ from the stored cos/sin table [seqLen, headDim/2]: at position 1 the
 * angle of pair i is θ^(−2i/headDim); the last pair gives the best precision. The
 * whole table is then checked against cos/sin(pos · θ^(−2i/headDim)).
 */
export function thetaFromTable(real: Float32Array, imag: Float32Array, headDim: number, warnings: string[]): number {
  const half = headDim / 2;
  if (half < 2 || real.length < 2 * half) return 10000;
  const frequency = Math.atan2(imag[half + half - 1], real[half + half - 1]);
  const theta = Number((frequency ** (-headDim / (headDim - 2))).toPrecision(6));
  let worst = 0;
  for (let position = 0; position < real.length / half; position++) {
    for (let pair = 0; pair < half; pair++) {
      const angle = position * theta ** ((-2 * pair) / headDim);
      worst = Math.max(worst, Math.abs(real[position * half + pair] - Math.cos(angle)), Math.abs(imag[position * half + pair] - Math.sin(angle)));
    }
  }
  if (!(worst < 1e-3)) warnings.push(`the stored RoPE table differs from θ = ${theta} by up to ${worst.toExponential(2)}: it may use scaling that config.json does not record`);
  return theta;
}

/** HF order: embeddings, then each layer's tensors, then the final norm and head. */
function hfOrder(layers: number): string[] {
  const suffixes = ['input_layernorm', 'self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'post_attention_layernorm', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];
  const names = ['model.embed_tokens.weight'];
  for (let layer = 0; layer < layers; layer++) names.push(...suffixes.map((suffix) => `model.layers.${layer}.${suffix}.weight`));
  names.push('model.norm.weight', 'lm_head.weight');
  return names;
}
