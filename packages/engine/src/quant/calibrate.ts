/**
 * Collects the input activations every linear layer sees on a few calibration
 * sequences (for AWQ): the model's own layer functions, with attention through a
 * one-sequence paged backend. Keys: canonical weight names (q/k/v share one input,
 * as do gate/up). Keeps at most `maxRows` rows per input.
 */
import { tf } from '@chainlm/runtime';
import { attentionInputs, finishLayer, rmsNorm, ropeBase, ropeTensors, type Model } from '@chainlm/model';
import { HostKvStore } from '../kv/kv-store.js';
import { PagedAttentionBackend } from '../kv/paged-attention.js';
import { buildStepLayout } from '../kv/step-layout.js';
import type { Calibration } from './awq.js';

const prefix = (layer: number) => `model.layers.${layer}.`;

export function collectCalibration(model: Model, sequences: readonly number[][], maxRows = 256): Map<string, Calibration> {
  const config = model.config;
  const chunks = new Map<string, Float32Array[]>();
  const record = (names: string[], tensor: tf.Tensor2D) => {
    const data = tensor.dataSync() as Float32Array;
    for (const name of names) chunks.set(name, [...(chunks.get(name) ?? []), Float32Array.from(data)]);
  };
  for (const tokenIds of sequences) {
    const length = tokenIds.length;
    const blockSize = 16;
    const numBlocks = Math.ceil(length / blockSize);
    const store = new HostKvStore({ numLayers: config.numLayers, numKvHeads: config.numKvHeads, headDim: config.headDim, numBlocks, blockSize });
    const attention = new PagedAttentionBackend(store, config.numHeads);
    attention.beginStep(buildStepLayout([{ start: 0, numTokens: length, blockTable: Array.from({ length: numBlocks }, (_, block) => block) }], blockSize, config.numHeads / config.numKvHeads));
    tf.tidy(() => {
      const positions = Int32Array.from({ length }, (_, index) => index);
      const rope = ropeTensors(config, positions, [length], ropeBase(config, length));
      let x = tf.gather(model.embedding, tf.tensor1d(Int32Array.from(tokenIds), 'int32')) as tf.Tensor2D; // [T, dim]
      for (let layer = 0; layer < config.numLayers; layer++) {
        const weights = model.layers[layer];
        const p = prefix(layer);
        record([`${p}self_attn.q_proj.weight`, `${p}self_attn.k_proj.weight`, `${p}self_attn.v_proj.weight`], rmsNorm(x, weights.attentionNorm, config.rmsNormEps));
        const { q, k, v } = attentionInputs(model, layer, x, [length], rope, rope);
        const attended = attention.attend(layer, q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D); // [T, H·d]
        record([`${p}self_attn.o_proj.weight`], attended);
        let afterAttention = tf.add(x, tf.matMul(attended, weights.o)) as tf.Tensor2D;
        if (weights.oBias) afterAttention = tf.add(afterAttention, weights.oBias);
        const h = rmsNorm(afterAttention, weights.mlpNorm, config.rmsNormEps);
        record([`${p}mlp.gate_proj.weight`, `${p}mlp.up_proj.weight`], h);
        const gate = tf.matMul(h, weights.gate);
        record([`${p}mlp.down_proj.weight`], tf.mul(tf.mul(gate, tf.sigmoid(gate)), tf.matMul(h, weights.up)) as tf.Tensor2D);
        x = finishLayer(model, layer, x, attended);
      }
    });
    attention.endStep();
  }
  const out = new Map<string, Calibration>();
  for (const [name, parts] of chunks) {
    const cols = parts[0].length / sequences[0].length;
    const all = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    const totalRows = all.length / cols;
    const stride = Math.max(1, Math.floor(totalRows / maxRows));
    const numRows = Math.ceil(totalRows / stride);
    const rows = new Float32Array(numRows * cols);
    for (let row = 0; row < numRows; row++) rows.set(all.subarray(row * stride * cols, (row * stride + 1) * cols), row * cols);
    out.set(name, { rows, numRows });
  }
  return out;
}
