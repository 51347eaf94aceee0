/**
 * Which modules of a base a LoRA run adapts. The adapter itself (LoraAdapter, HF/PEFT
 * layout A [rank, in], B [out, rank]), its folder format and merging are the model
 * package's (readPeftAdapter, writePeftAdapter, mergeLoraAdapter, loraScale).
 */
import { trainError, trainErrorCodes } from '../errors.js';

/** HF modules of `base` whose last name part is a target (2-D `.weight` tensors only). */
export function findTargetModules(base: Iterable<string>, targetModules: readonly string[]): string[] {
  const found: string[] = [];
  for (const name of base) {
    if (!name.endsWith('.weight')) continue;
    const module = name.slice(0, -'.weight'.length);
    const leaf = module.slice(module.lastIndexOf('.') + 1);
    if (targetModules.includes(leaf)) found.push(module);
  }
  if (found.length === 0) {
    throw trainError(
      trainErrorCodes.loraTargets,
      `no module of the model matches lora.targetModules [${targetModules.join(', ')}]`,
      'Llama-style models name q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj; InternLM2 names wqkv, wo, w1, w2, w3',
      2,
    );
  }
  return found;
}
