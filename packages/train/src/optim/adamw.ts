/**
 * AdamW (Loshchilov & Hutter) over one flat parameter buffer, as PyTorch computes it:
 *   p ← p·(1 − lr·wd)                       (decoupled decay, matrices only)
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
 *   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 * State (m, v) is allocated once; one fused pass per step, no per-tensor temporaries.
 */
import type { OptimizerConfig } from '../config/schema.js';
import type { ParamLayout } from './layout.js';

export interface AdamWState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class AdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Number of updates applied so far (t in the bias correction). */
  step = 0;
  private readonly decayMask: Uint8Array;

  constructor(
    readonly layout: ParamLayout,
    readonly config: Pick<OptimizerConfig, 'betas' | 'eps' | 'weightDecay'>,
  ) {
    this.m = new Float32Array(layout.size);
    this.v = new Float32Array(layout.size);
    this.decayMask = new Uint8Array(layout.size);
    for (const slot of layout.slots) if (slot.decay) this.decayMask.fill(1, slot.offset, slot.offset + slot.size);
  }

  /** Applies one update in place to `params` from `grads` (both of layout.size). */
  update(params: Float32Array, grads: Float32Array, lr: number): void {
    if (params.length !== this.layout.size || grads.length !== this.layout.size) {
      throw new RangeError(`AdamW.update: expected buffers of ${this.layout.size}, got ${params.length} and ${grads.length}`);
    }
    this.step += 1;
    const [beta1, beta2] = this.config.betas;
    const { eps, weightDecay } = this.config;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    const stepSize = lr / correction1;
    const sqrtCorrection2 = Math.sqrt(correction2);
    const decayFactor = 1 - lr * weightDecay;
    const { m, v, decayMask } = this;
    for (let index = 0; index < params.length; index++) {
      const gradient = grads[index];
      const mi = beta1 * m[index] + (1 - beta1) * gradient;
      const vi = beta2 * v[index] + (1 - beta2) * gradient * gradient;
      m[index] = mi;
      v[index] = vi;
      const decayed = decayMask[index] === 1 ? params[index] * decayFactor : params[index];
      params[index] = decayed - (stepSize * mi) / (Math.sqrt(vi) / sqrtCorrection2 + eps);
    }
  }

  state(): AdamWState {
    return { step: this.step, m: this.m, v: this.v };
  }

  load(state: AdamWState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new RangeError(`AdamW.load: state holds ${state.m.length} values, the model has ${this.m.length} trainable`);
    }
    this.m.set(state.m);
    this.v.set(state.v);
    this.step = state.step;
  }
}
