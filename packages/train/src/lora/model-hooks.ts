/**
 * The seam between LoRA/QLoRA and the model: the decoder's linear projections,
 * by canonical module name (`model.layers.0.self_attn.q_proj`), and the hook that
 * lets a module's projection use a supplied base weight and add a delta.
 */
import type { Model } from '@chainlm/model';
import type { tf } from '@chainlm/runtime';
import { trainError, trainErrorCodes } from '../errors.js';

export interface LinearHook {
  /** Replaces the base weight [in, out] (e.g. dequantized on the fly). */
  weight?: () => tf.Tensor2D;
  /** Added to the projection: x [N, in] → [N, out]. */
  delta?: (x: tf.Tensor2D) => tf.Tensor2D;
}

const linearModule = /^(model\.layers\.\d+\.(?:self_attn|mlp)\.[a-z_]+_proj)\.weight$/;

/** Decoder-layer linear weights (held [in, out]) by module name, in model order. */
export function linearModules(model: Model): Map<string, tf.Variable> {
  const modules = new Map<string, tf.Variable>();
  for (const { name, variable } of model.parameters()) {
    const match = linearModule.exec(name);
    if (match) modules.set(match[1], variable);
  }
  return modules;
}

/**
 * Installs hooks on the model's linear projections; returns the uninstaller. The
 * model consults `linearHooks` (module name → hook) in its projection function.
 */
export function installLinearHooks(model: Model, hooks: Map<string, LinearHook>): () => void {
  const target = (model as Model & { linearHooks?: Map<string, LinearHook> }).linearHooks;
  if (!target) {
    throw trainError(trainErrorCodes.loraTargets, 'this @chainlm/model build has no linear-projection hook, so adapters cannot be attached', 'update @chainlm/model (it needs Model.linearHooks)');
  }
  for (const [module, hook] of hooks) target.set(module, hook);
  return () => {
    for (const module of hooks.keys()) target.delete(module);
  };
}
