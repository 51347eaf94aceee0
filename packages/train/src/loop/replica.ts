/**
 * One model replica: the model, its trainable variables in layout order, and the
 * loss on a batch. Built from a plain, serializable spec so worker threads build
 * the same replica the main thread would.
 */
import { classifierMatrix, createModel, loadHfFolder, type Model, type ModelConfig } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import type { LoraConfig, TrainMethod } from '../config/schema.js';
import type { TrainBatch } from '../data/train-batch.js';
import { attachLora, type LoraRuntime } from '../lora/lora-runtime.js';
import { buildLayout, type ParamLayout } from '../optim/layout.js';
import { decoderHidden, type LinearHooks } from '../forward/decoder.js';
import { classifierLossSum, classifierLossSumWithGrad } from '../forward/fused-loss.js';

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
  /** Per-module projection hooks (LoRA, QLoRA); empty for full training. */
  hooks: LinearHooks;
  /**
   * Masked loss sum of a batch. `dropoutSeed` given = training (dropout on, gradient
   * computed by the fused loss); undefined = evaluation (no dropout, loss only).
   */
  lossSum(batch: TrainBatch, dropoutSeed?: number): tf.Scalar;
  dispose(): void;
}

export async function buildReplica(spec: ReplicaSpec): Promise<Replica> {
  const weights = spec.basePath ? (await loadHfFolder(spec.basePath)).weights : undefined;
  const model = createModel(spec.modelConfig, weights, { seed: spec.seed });
  let lora: LoraRuntime | undefined;
  const hooks: LinearHooks = new Map();
  let named: { name: string; variable: tf.Variable }[];
  if (spec.method === 'lora' || spec.method === 'qlora') {
    lora = attachLora(model, hooks, spec.lora!, { seed: spec.seed, quantize: spec.method === 'qlora' });
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
    hooks,
    lossSum(batch, dropoutSeed) {
      return tf.tidy(() => {
        lora?.setDropoutSeed(dropoutSeed);
        const inputs = tf.tensor2d(batch.inputs, [batch.rows, batch.seqLen], 'int32');
        const hidden = decoderHidden(model, hooks, inputs, batch.segmentIds); // [B·T, dim]
        const targets = { targets: batch.targets, mask: batch.lossMask };
        const classifier = classifierMatrix(model, true); // [dim, vocab]
        if (dropoutSeed === undefined) return classifierLossSum(hidden, classifier, targets);
        return classifierLossSumWithGrad(hidden, classifier, targets, { weightGrad: (model.lmHead ?? model.embedding).trainable });
      });
    },
    dispose() {
      lora?.dispose();
      model.dispose();
    },
  };
}
