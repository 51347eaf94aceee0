/**
 * Merges an HF PEFT LoRA adapter folder into base weights (HF names), so a
 * fine-tuned model is evaluated with plain inference:
 *   W[out, in] += (lora_alpha / r) · B[out, r] · A[r, in]
 * Adapter keys are `base_model.model.<module>.lora_A.weight` / `.lora_B.weight`
 * (what PEFT and chainlm-train write); every one must match a base weight.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, type WeightMap } from '@chainlm/model';
import { z } from 'zod';
import { EvalError } from '../errors.js';

const adapterConfigSchema = z.looseObject({ r: z.number().int().positive(), lora_alpha: z.number().positive() });
const prefix = 'base_model.model.';

export async function mergePeftAdapter(base: WeightMap, adapterDir: string): Promise<WeightMap> {
  const configFile = join(adapterDir, 'adapter_config.json');
  let config: z.infer<typeof adapterConfigSchema>;
  try {
    config = adapterConfigSchema.parse(JSON.parse(readFileSync(configFile, 'utf8')));
  } catch (error) {
    throw new EvalError('eval-model-capability', `${configFile}: not a PEFT LoRA adapter config (${(error as Error).message.split('\n')[0]})`, 'point `adapter` at a folder with adapter_config.json (r, lora_alpha) and adapter_model.safetensors', 2, error);
  }
  const adapter = await readSafetensors(join(adapterDir, 'adapter_model.safetensors'));
  const scale = config.lora_alpha / config.r;
  const merged: WeightMap = new Map(base);
  for (const [name, a] of adapter) {
    if (!name.endsWith('.lora_A.weight')) continue;
    const module = name.slice(name.startsWith(prefix) ? prefix.length : 0, -'.lora_A.weight'.length);
    const b = adapter.get(name.replace('.lora_A.weight', '.lora_B.weight'));
    const target = merged.get(`${module}.weight`);
    if (!b || !target) {
      throw new EvalError('eval-model-capability', `adapter ${adapterDir}: ${!b ? `no lora_B for ${module}` : `the base model has no weight ${module}.weight`}`, 'check that the adapter was trained on this base model');
    }
    const [rank, inFeatures] = a.shape;
    const [outFeatures] = b.shape;
    const data = Float32Array.from(target.data); // [out, in]
    for (let row = 0; row < outFeatures; row++) {
      for (let k = 0; k < rank; k++) {
        const weight = scale * b.data[row * rank + k];
        if (weight === 0) continue;
        const aRow = k * inFeatures;
        const out = row * inFeatures;
        for (let column = 0; column < inFeatures; column++) data[out + column] += weight * a.data[aRow + column];
      }
    }
    merged.set(`${module}.weight`, { ...target, data });
  }
  return merged;
}
