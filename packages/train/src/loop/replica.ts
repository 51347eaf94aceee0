/**
 * One model replica: the model, its trainable variables in layout order, and the
 * loss on a batch. Built from a plain, serializable spec so worker threads build
 * the same replica the main thread would.
 */
import { createModel, forward, loadHfFolder, type Model, type ModelConfig } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import type { LoraConfig, TrainMethod } from '../config/schema.js';
import type { TrainBatch } from '../data/packed-rows.js';
import { attachLora, type LoraRuntime } from '../lora/lora-runtime.js';
import { buildLayout, type ParamLayout } from '../optim/layout.js';
import { maskedCrossEntropySum } from './loss.js';

export interface ReplicaSpec {
  modelConfig: ModelConfig;
  /** HF folder of the base weights; absent = seeded random init. */
  basePath?: string;
  seed: number;
  method: TrainMethod;
  lora?: LoraConfig;
}

export interface Replica {
  model: Model;
  layout: ParamLayout;
  /** Trainable variables, index-aligned with layout.slots. */
  variables: tf.Variable[];
  lora?: LoraRuntime;
  /** Masked loss sum of a batch; `dropoutSeed` undefined = evaluation (no dropout). */
  lossSum(batch: TrainBatch, dropoutSeed?: number): tf.Scalar;
  dispose(): void;
}

export async function buildReplica(spec: ReplicaSpec): Promise<Replica> {
  const weights = spec.basePath ? (await loadHfFolder(spec.basePath)).weights : undefined;
  const model = createModel(spec.modelConfig, weights, { seed: spec.seed });
  let lora: LoraRuntime | undefined;
  let named: { name: string; variable: tf.Variable }[];
  if (spec.method === 'lora' || spec.method === 'qlora') {
    lora = attachLora(model, spec.lora!, { seed: spec.seed, quantize: spec.method === 'qlora' });
    named = lora.parameters;
  } else {
    named = model.parameters().map(({ name, variable }) => ({ name, variable }));
  }
  const layout = buildLayout(named.map(({ name, variable }) => ({ name, shape: variable.shape })));
  return {
    model,
    layout,
    variables: named.map(({ variable }) => variable),
    lora,
    lossSum(batch, dropoutSeed) {
      return tf.tidy(() => {
        lora?.setDropoutSeed(dropoutSeed);
        const inputs = tf.tensor2d(batch.inputs, [batch.rows, batch.seqLen], 'int32');
        const logits = forward(model, inputs, batch.segmentIds ? { segmentIds: batch.segmentIds } : {});
        const targets = tf.tensor2d(batch.targets, [batch.rows, batch.seqLen], 'int32');
        const mask = tf.tensor2d(batch.lossMask, [batch.rows, batch.seqLen], 'float32');
        return maskedCrossEntropySum(logits, targets, mask);
      });
    },
    dispose() {
      lora?.dispose();
      model.dispose();
    },
  };
}
