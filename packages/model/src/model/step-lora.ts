/**
 * Per-row LoRA for the incremental forward: requests for different adapters (and
 * for the bare base) share one step on the shared base weights, as S-LoRA/Punica
 * batch them. Every row gets the base projection; on top, the rows of adapter g get
 * (x_g·Aᵀ_g)·(scale·Bᵀ_g) for each module g adapts.
 *
 * Rows are grouped by adapter once per step (index tensors built once); per module,
 * each covering group is gathered, gets its two small matmuls, and the groups'
 * deltas (plus zeros for the rows no group covers) are put back in row order with
 * one gather through an inverse permutation. One adapter covering every row skips
 * the gathers. q/k/v see the same input, so a group's gathered rows are reused.
 */
import { ChainlmError } from '@chainlm/core';
import { tf } from '@chainlm/runtime';
import type { StepLora, StepLoraAdapter } from './attention-backend.js';
import type { ProjectionDelta, ProjectionName } from './layers.js';

interface RowGroup {
  adapter: StepLoraAdapter;
  rows: Int32Array;
  indices: tf.Tensor1D; // [rows.length] int32, kept until dispose()
}

export interface StepLoraDeltas {
  /** The delta hook of one layer; undefined when no row has an adapter. */
  layer(layer: number): ProjectionDelta | undefined;
  /** Frees the step's index tensors. */
  dispose(): void;
}

const attentionModules: readonly ProjectionName[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
const section = (module: ProjectionName) => (attentionModules.includes(module) ? 'self_attn' : 'mlp');

export function checkStepLora(lora: StepLora, rows: number): void {
  const fail = (message: string, hint: string): never => {
    throw new ChainlmError('forward-step-input', message, { hint });
  };
  if (lora.rowAdapter.length !== rows) fail(`lora.rowAdapter has ${lora.rowAdapter.length} entries for ${rows} tokens`, 'give one adapter index per token (-1: base model)');
  for (const index of lora.rowAdapter) {
    if (!Number.isInteger(index) || index < -1 || index >= lora.adapters.length) fail(`lora.rowAdapter names adapter ${index}, but ${lora.adapters.length} adapter(s) were given`, 'use -1 for the base model or an index into lora.adapters');
  }
}

export function stepLoraDeltas(lora: StepLora, rows: number): StepLoraDeltas {
  const members = new Map<number, number[]>();
  lora.rowAdapter.forEach((adapter, row) => {
    if (adapter >= 0) members.set(adapter, [...(members.get(adapter) ?? []), row]);
  });
  const groups: RowGroup[] = [...members].map(([adapter, list]) => {
    const groupRows = Int32Array.from(list);
    return { adapter: lora.adapters[adapter], rows: groupRows, indices: tf.keep(tf.tensor1d(groupRows, 'int32')) };
  });
  const inverses = new Map<string, tf.Tensor1D>(); // covering groups → inverse permutation, kept
  const inverseFor = (covering: RowGroup[]): tf.Tensor1D => {
    const key = covering.map((group) => groups.indexOf(group)).join(',');
    let inverse = inverses.get(key);
    if (!inverse) {
      // order[i] = the row whose delta sits at position i of the concatenated parts.
      const covered = new Uint8Array(rows);
      const order: number[] = [];
      for (const group of covering) for (const row of group.rows) (order.push(row), (covered[row] = 1));
      for (let row = 0; row < rows; row++) if (!covered[row]) order.push(row);
      const positions = new Int32Array(rows);
      order.forEach((row, position) => (positions[row] = position));
      inverse = tf.keep(tf.tensor1d(positions, 'int32'));
      inverses.set(key, inverse);
    }
    return inverse;
  };
  return {
    layer(layer) {
      if (groups.length === 0) return undefined;
      let lastInput: tf.Tensor2D | undefined;
      let gathered = new Map<RowGroup, tf.Tensor2D>();
      return (module, x): tf.Tensor2D | undefined => {
        const name = `model.layers.${layer}.${section(module)}.${module}`;
        const covering = groups.filter((group) => group.adapter.modules.has(name));
        if (covering.length === 0) return undefined;
        if (x !== lastInput) {
          lastInput = x;
          gathered = new Map();
        }
        const delta = (group: RowGroup, input: tf.Tensor2D): tf.Tensor2D => {
          const factors = group.adapter.modules.get(name)!;
          return tf.matMul(tf.matMul(input, factors.a), factors.b); // [n, in]·[in, r]·[r, out]
        };
        if (covering.length === 1 && covering[0].rows.length === rows) return delta(covering[0], x);
        const parts = covering.map((group) => {
          let input = gathered.get(group);
          if (!input) gathered.set(group, (input = tf.gather(x, group.indices) as tf.Tensor2D));
          return delta(group, input);
        });
        const coveredRows = covering.reduce((sum, group) => sum + group.rows.length, 0);
        if (coveredRows < rows) parts.push(tf.zeros([rows - coveredRows, parts[0]!.shape[1]!]));
        return tf.gather(tf.concat(parts, 0), inverseFor(covering)) as tf.Tensor2D;
      };
    },
    dispose() {
      for (const group of groups) group.indices.dispose();
      for (const inverse of inverses.values()) inverse.dispose();
    },
  };
}
