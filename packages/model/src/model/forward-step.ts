/**
 * Incremental forward: the step's new tokens (of any number of sequences, flattened
 * to T rows) through the same layer functions as the training forward; per layer the
 * AttentionBackend stores k/v and attends each row over its own sequence.
 */
import { ChainlmError } from '@chainlm/core';
import { tf } from '@chainlm/runtime';
import type { StepInput } from './attention-backend.js';
import { classifierMatrix, type Model } from './create-model.js';
import { attentionInputs, finishLayer, rmsNorm } from './layers.js';
import { linear } from './matmul.js';
import { ropeBase, ropeTensors } from './rope.js';
import { checkStepLora, stepLoraDeltas } from './step-lora.js';

function checkStep(model: Model, input: StepInput): void {
  const rows = input.tokenIds.length;
  const fail = (message: string, hint: string): never => {
    throw new ChainlmError('forward-step-input', message, { hint });
  };
  if (rows === 0) fail('a step needs at least one token', 'skip the step when no sequence has work');
  if (input.positions.length !== rows) fail(`positions has ${input.positions.length} entries for ${rows} tokens`, 'give one position per token');
  for (const id of input.tokenIds) {
    if (id < 0 || id >= model.config.vocabSize) fail(`token id ${id} is outside the vocabulary [0, ${model.config.vocabSize})`, 'check that the tokenizer matches the model');
  }
  for (const position of input.positions) if (position < 0) fail(`position ${position} is negative`, 'positions count from 0');
  for (const row of input.logitRows ?? []) {
    if (row < 0 || row >= rows) fail(`logitRows names row ${row}, but the step has ${rows} tokens`, 'logitRows indexes the step\'s tokens');
  }
  if (input.lora) checkStepLora(input.lora, rows);
}

/** Logits [rows, vocab] for `input.logitRows` (default: every token of the step). */
export function forwardStep(model: Model, input: StepInput): tf.Tensor2D {
  checkStep(model, input);
  const { config } = model;
  const rows = input.tokenIds.length;
  let longest = 0;
  for (const position of input.positions) longest = Math.max(longest, position + 1);
  const base = ropeBase(config, longest);
  const lora = input.lora ? stepLoraDeltas(input.lora, rows) : undefined;
  try {
    return tf.tidy(() => {
      const rope = ropeTensors(config, input.positions, [rows], base); // [T, 1, d]
      let x = tf.gather(model.embedding, tf.tensor1d(input.tokenIds, 'int32')) as tf.Tensor2D; // [T, dim]
      for (let layer = 0; layer < config.numLayers; layer++) {
        const layerInput = x;
        const delta = lora?.layer(layer);
        x = tf.tidy(() => {
          const { q, k, v } = attentionInputs(model, layer, layerInput, [rows], rope, rope, delta);
          const attention = input.attention.attend(layer, q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D); // [T, H·d]
          return finishLayer(model, layer, layerInput, attention, delta);
        });
      }
      const selected = input.logitRows ? (tf.gather(x, tf.tensor1d(input.logitRows, 'int32')) as tf.Tensor2D) : x;
      return linear(rmsNorm(selected, model.finalNorm, config.rmsNormEps), classifierMatrix(model, false));
    });
  } finally {
    lora?.dispose();
  }
}
