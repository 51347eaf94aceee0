/**
 * The decoder's linear projections of a live model, by canonical module name
 * (`model.layers.0.self_attn.q_proj`): what LoRA targets and QLoRA quantizes.
 */
import type { Model } from '@chainlm/model';
import type { tf } from '@chainlm/runtime';

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
