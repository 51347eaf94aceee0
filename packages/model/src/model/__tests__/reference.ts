/**
 * An independent reference decoder for tests: plain TypeScript on Float64Array, one
 * token and one head at a time, reading each architecture's own weight names (for
 * InternLM2 the packed wqkv directly, as its modeling code slices it). Slow and
 * obvious on purpose; it shares no code with the tfjs model.
 */
import type { ModelConfig } from '../../config/index.js';
import type { WeightMap } from '../../io/types.js';

type Vector = Float64Array;

function get(weights: WeightMap, name: string): Float64Array {
  const tensor = weights.get(name);
  if (!tensor) throw new Error(`reference: missing ${name}`);
  return Float64Array.from(tensor.data);
}

/** W [out, in] (HF layout) times x [in] (+ bias). */
function matVec(weight: Float64Array, x: Vector, out: number, bias?: Float64Array): Vector {
  const inputs = x.length;
  const result = new Float64Array(out);
  for (let row = 0; row < out; row++) {
    let sum = bias ? bias[row]! : 0;
    for (let column = 0; column < inputs; column++) sum += weight[row * inputs + column]! * x[column]!;
    result[row] = sum;
  }
  return result;
}

function rmsNorm(x: Vector, weight: Float64Array, eps: number): Vector {
  let meanSquare = 0;
  for (const value of x) meanSquare += value * value;
  meanSquare /= x.length;
  const scale = 1 / Math.sqrt(meanSquare + eps);
  return x.map((value, index) => value * scale * weight[index]!);
}

/** HF rotate_half rope on one head vector, in place. */
function rope(head: Vector, position: number, config: ModelConfig, base: number): void {
  const dim = head.length;
  const half = dim / 2;
  const scaledPosition = config.ropeScaling?.type === 'linear' ? position / config.ropeScaling.factor : position;
  const original = Float64Array.from(head);
  for (let index = 0; index < dim; index++) {
    const frequencyIndex = index % half;
    const angle = scaledPosition / Math.pow(base, (2 * frequencyIndex) / dim);
    const rotated = index < half ? -original[index + half]! : original[index - half]!;
    head[index] = original[index]! * Math.cos(angle) + rotated * Math.sin(angle);
  }
}

function referenceBase(config: ModelConfig, sequenceLength: number): number {
  const scaling = config.ropeScaling;
  if (scaling && scaling.type === 'dynamic' && sequenceLength > config.maxPositionEmbeddings) {
    const d = config.headDim;
    return config.ropeTheta * Math.pow((scaling.factor * sequenceLength) / config.maxPositionEmbeddings - (scaling.factor - 1), d / (d - 2));
  }
  return config.ropeTheta;
}

interface LayerNames {
  attentionNorm: string; mlpNorm: string; o: string; oBias: string; gate: string; up: string; down: string;
  q: string; k: string; v: string; qBias: string; kBias: string; vBias: string; wqkv: string; wqkvBias: string;
}

function layerNames(config: ModelConfig, layer: number): LayerNames {
  const p = `model.layers.${layer}.`;
  if (config.architecture === 'internlm2') {
    return {
      attentionNorm: `${p}attention_norm.weight`, mlpNorm: `${p}ffn_norm.weight`, o: `${p}attention.wo.weight`, oBias: `${p}attention.wo.bias`,
      gate: `${p}feed_forward.w1.weight`, up: `${p}feed_forward.w3.weight`, down: `${p}feed_forward.w2.weight`,
      q: '', k: '', v: '', qBias: '', kBias: '', vBias: '', wqkv: `${p}attention.wqkv.weight`, wqkvBias: `${p}attention.wqkv.bias`,
    };
  }
  const a = `${p}self_attn.`;
  return {
    attentionNorm: `${p}input_layernorm.weight`, mlpNorm: `${p}post_attention_layernorm.weight`, o: `${a}o_proj.weight`, oBias: `${a}o_proj.bias`,
    gate: `${p}mlp.gate_proj.weight`, up: `${p}mlp.up_proj.weight`, down: `${p}mlp.down_proj.weight`,
    q: `${a}q_proj.weight`, k: `${a}k_proj.weight`, v: `${a}v_proj.weight`, qBias: `${a}q_proj.bias`, kBias: `${a}k_proj.bias`, vBias: `${a}v_proj.bias`, wqkv: '', wqkvBias: '',
  };
}

/** q heads, k heads, v heads of one token: arrays of head vectors. */
function qkv(config: ModelConfig, weights: WeightMap, names: LayerNames, h: Vector): { q: Vector[]; k: Vector[]; v: Vector[] } {
  const d = config.headDim;
  const split = (flat: Vector, heads: number, offset = 0): Vector[] => Array.from({ length: heads }, (_, head) => flat.slice(offset + head * d, offset + (head + 1) * d));
  const bias = (name: string): Float64Array | undefined => (weights.has(name) ? get(weights, name) : undefined);
  if (config.architecture === 'internlm2') {
    // "b q (h gs d) -> b q h gs d" with gs = G + 2: per kv head, G queries, then k, then v.
    const group = config.numHeads / config.numKvHeads;
    const flat = matVec(get(weights, names.wqkv), h, (config.numHeads + 2 * config.numKvHeads) * d, bias(names.wqkvBias));
    const q: Vector[] = [];
    const k: Vector[] = [];
    const v: Vector[] = [];
    for (let kvHead = 0; kvHead < config.numKvHeads; kvHead++) {
      const blocks = split(flat.slice(kvHead * (group + 2) * d, (kvHead + 1) * (group + 2) * d), group + 2);
      q.push(...blocks.slice(0, group));
      k.push(blocks[group]!);
      v.push(blocks[group + 1]!);
    }
    return { q, k, v };
  }
  return {
    q: split(matVec(get(weights, names.q), h, config.numHeads * d, bias(names.qBias)), config.numHeads),
    k: split(matVec(get(weights, names.k), h, config.numKvHeads * d, bias(names.kBias)), config.numKvHeads),
    v: split(matVec(get(weights, names.v), h, config.numKvHeads * d, bias(names.vBias)), config.numKvHeads),
  };
}

export interface ReferenceInput {
  tokens: number[][];
  segmentIds?: number[][];
  attentionMask?: number[][];
}

/** Logits [batch][seq][vocab]. Positions restart per segment; padding keys are skipped. */
export function referenceLogits(config: ModelConfig, weights: WeightMap, input: ReferenceInput): Float64Array[][] {
  const embeddingName = config.architecture === 'internlm2' ? 'model.tok_embeddings.weight' : 'model.embed_tokens.weight';
  const headName = config.tieWordEmbeddings ? embeddingName : config.architecture === 'internlm2' ? 'output.weight' : 'lm_head.weight';
  const embedding = get(weights, embeddingName);
  const dim = config.hiddenSize;
  const positions = input.tokens.map((row, b) => {
    const rowPositions: number[] = [];
    for (let t = 0; t < row.length; t++) {
      const newSegment = t === 0 || (input.segmentIds !== undefined && input.segmentIds[b]![t] !== input.segmentIds[b]![t - 1]);
      rowPositions.push(newSegment ? 0 : rowPositions[t - 1]! + 1);
    }
    return rowPositions;
  });
  const longest = Math.max(...positions.flat()) + 1;
  const base = referenceBase(config, longest);
  const group = config.numHeads / config.numKvHeads;
  return input.tokens.map((row, b) => {
    let xs: Vector[] = row.map((token) => embedding.slice(token * dim, (token + 1) * dim));
    for (let layer = 0; layer < config.numLayers; layer++) {
      const names = layerNames(config, layer);
      const projected = xs.map((x, t) => {
        const heads = qkv(config, weights, names, rmsNorm(x, get(weights, names.attentionNorm), config.rmsNormEps));
        for (const head of [...heads.q, ...heads.k]) rope(head, positions[b]![t]!, config, base);
        return heads;
      });
      xs = xs.map((x, t) => {
        const context = new Float64Array(config.numHeads * config.headDim);
        for (let head = 0; head < config.numHeads; head++) {
          const kvHead = Math.floor(head / group);
          const visible = row.map((_, s) => s <= t && (!input.segmentIds || input.segmentIds[b]![s] === input.segmentIds[b]![t]) && (!input.attentionMask || input.attentionMask[b]![s] !== 0));
          const scores = row.map((_, s) => {
            if (!visible[s]) return -Infinity;
            let dot = 0;
            for (let i = 0; i < config.headDim; i++) dot += projected[t]!.q[head]![i]! * projected[s]!.k[kvHead]![i]!;
            return dot / Math.sqrt(config.headDim);
          });
          const max = Math.max(...scores);
          const exps = scores.map((score) => (score === -Infinity ? 0 : Math.exp(score - max)));
          const total = exps.reduce((sum, value) => sum + value, 0);
          for (let s = 0; s < row.length; s++) {
            for (let i = 0; i < config.headDim; i++) context[head * config.headDim + i]! += (exps[s]! / total) * projected[s]!.v[kvHead]![i]!;
          }
        }
        const oBias = weights.has(names.oBias) ? get(weights, names.oBias) : undefined;
        const attentionOutput = matVec(get(weights, names.o), context, dim, oBias);
        const afterAttention = x.map((value, index) => value + attentionOutput[index]!);
        const h = rmsNorm(afterAttention, get(weights, names.mlpNorm), config.rmsNormEps);
        const gate = matVec(get(weights, names.gate), h, config.intermediateSize);
        const up = matVec(get(weights, names.up), h, config.intermediateSize);
        const activated = gate.map((g, index) => (g / (1 + Math.exp(-g))) * up[index]!);
        const down = matVec(get(weights, names.down), activated, dim);
        return afterAttention.map((value, index) => value + down[index]!);
      });
    }
    return xs.map((x) => matVec(get(weights, headName), rmsNorm(x, get(weights, 'model.norm.weight'), config.rmsNormEps), config.vocabSize));
  });
}
