/**
 * The in-process engine: one replica on this thread. Gradients come from
 * tf.variableGrads of the masked loss sum and are added into the flat buffer.
 */
import { tf } from '@chainlm/runtime';
import type { TrainBatch } from '../data/train-batch.js';
import type { GradientEngine, LossSum } from './engine.js';
import { buildReplica, type Replica, type ReplicaSpec } from './replica.js';

/**
 * The values of a float32 tensor without a copy where the backend allows it: on wasm
 * a view into the heap (valid until the next tensor op), else dataSync. Fresh
 * [size] arrays per parameter per step cost page faults; a view costs nothing.
 */
function hostView(tensor: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (info: tf.Tensor) => Float32Array };
  if (tf.getBackend() === 'wasm' && backend.typedArrayFromHeap) return backend.typedArrayFromHeap(tensor);
  return tensor.dataSync() as Float32Array;
}

export class LocalEngine implements GradientEngine {
  private constructor(readonly replica: Replica) {}

  static async create(spec: ReplicaSpec): Promise<LocalEngine> {
    return new LocalEngine(await buildReplica(spec));
  }

  get layout() {
    return this.replica.layout;
  }

  async readParams(out: Float32Array): Promise<void> {
    this.replica.layout.slots.forEach((slot, index) => out.set(hostView(this.replica.variables[index]), slot.offset));
  }

  async writeParams(params: Float32Array): Promise<void> {
    this.replica.layout.slots.forEach((slot, index) => {
      const value = tf.tensor(params.subarray(slot.offset, slot.offset + slot.size), slot.shape, 'float32');
      this.replica.variables[index].assign(value);
      value.dispose();
    });
  }

  async accumulateGradients(microBatches: TrainBatch[], dropoutSeed: number, grads: Float32Array): Promise<LossSum> {
    grads.fill(0);
    let lossSum = 0;
    let tokens = 0;
    const { variables, layout } = this.replica;
    microBatches.forEach((batch, micro) => {
      const { value, grads: byName } = tf.variableGrads(() => this.replica.lossSum(batch, dropoutSeed + micro), variables);
      lossSum += value.dataSync()[0];
      tokens += batch.tokens;
      layout.slots.forEach((slot, index) => {
        const gradient = byName[variables[index].name];
        // A parameter the loss does not reach (e.g. unused vocab rows) has no gradient entry.
        if (!gradient) return;
        const data = hostView(gradient);
        for (let offset = 0; offset < slot.size; offset++) grads[slot.offset + offset] += data[offset];
      });
      value.dispose();
      for (const gradient of Object.values(byName)) gradient.dispose();
    });
    return { lossSum, tokens };
  }

  async evaluate(batches: TrainBatch[]): Promise<LossSum> {
    let lossSum = 0;
    let tokens = 0;
    for (const batch of batches) {
      const loss = this.replica.lossSum(batch);
      lossSum += loss.dataSync()[0];
      tokens += batch.tokens;
      loss.dispose();
    }
    return { lossSum, tokens };
  }

  async dispose(): Promise<void> {
    this.replica.dispose();
  }
}
