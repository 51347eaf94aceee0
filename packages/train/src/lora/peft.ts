/**
 * HF PEFT adapter folders: adapter_config.json + adapter_model.safetensors with
 * PEFT's key names, `base_model.model.<module>.lora_A.weight` [rank, in] and
 * `base_model.model.<module>.lora_B.weight` [out, rank]. What PEFT writes for
 * `LoraConfig(r, lora_alpha, lora_dropout, target_modules)` with bias "none".
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceDirAtomic, writeJsonAtomic } from '@chainlm/core';
import { readSafetensors, writeSafetensors, type WeightMap } from '@chainlm/model';
import { z } from 'zod';
import { trainError, trainErrorCodes } from '../errors.js';
import type { LoraAdapter } from './adapter-weights.js';

const prefix = 'base_model.model.';

const peftConfigSchema = z.looseObject({
  peft_type: z.literal('LORA'),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).default(0),
  target_modules: z.union([z.array(z.string()), z.string()]),
  bias: z.string().default('none'),
  fan_in_fan_out: z.boolean().default(false),
  use_rslora: z.boolean().default(false),
});

export async function savePeftAdapter(dir: string, adapter: LoraAdapter, options: { baseModel?: string } = {}): Promise<void> {
  const weights: WeightMap = new Map();
  for (const [module, lora] of adapter.modules) {
    weights.set(`${prefix}${module}.lora_A.weight`, { shape: [lora.rank, lora.inFeatures], dtype: 'F32', data: lora.a });
    weights.set(`${prefix}${module}.lora_B.weight`, { shape: [lora.outFeatures, lora.rank], dtype: 'F32', data: lora.b });
  }
  await replaceDirAtomic(dir, async (temp) => {
    await writeJsonAtomic(join(temp, 'adapter_config.json'), {
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: options.baseModel ?? null,
      r: adapter.rank,
      lora_alpha: adapter.alpha,
      lora_dropout: adapter.dropout,
      target_modules: adapter.targetModules,
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      modules_to_save: null,
      use_rslora: false,
    });
    await writeSafetensors(join(temp, 'adapter_model.safetensors'), weights, { metadata: { format: 'pt' } });
  });
}

export async function loadPeftAdapter(dir: string): Promise<LoraAdapter & { baseModel: string | null }> {
  const configPath = join(dir, 'adapter_config.json');
  const weightsPath = join(dir, 'adapter_model.safetensors');
  if (!existsSync(configPath) || !existsSync(weightsPath)) {
    throw trainError(trainErrorCodes.adapterInvalid, `${dir} is not a PEFT adapter folder (needs adapter_config.json and adapter_model.safetensors)`, 'export one with `chainlm-train export RUN --adapter DIR`', 2);
  }
  const parsed = peftConfigSchema.safeParse(JSON.parse(await readFile(configPath, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw trainError(trainErrorCodes.adapterInvalid, `${configPath}: ${issue.path.join('.')}: ${issue.message}`, 'only LoRA adapters (peft_type "LORA") are supported', 2);
  }
  const config = parsed.data;
  if (config.fan_in_fan_out || config.use_rslora || config.bias !== 'none') {
    throw trainError(trainErrorCodes.adapterInvalid, `${configPath}: fan_in_fan_out, use_rslora and biases are not supported`, 'export the adapter with bias "none", fan_in_fan_out false and use_rslora false', 2);
  }
  const weights = await readSafetensors(weightsPath);
  const adapter: LoraAdapter = {
    rank: config.r,
    alpha: config.lora_alpha,
    dropout: config.lora_dropout,
    targetModules: Array.isArray(config.target_modules) ? config.target_modules : [config.target_modules],
    modules: new Map(),
  };
  for (const [name, tensor] of weights) {
    const match = /^(?:base_model\.model\.)?(.+)\.lora_A(?:\.default)?\.weight$/.exec(name);
    if (!match) continue;
    const module = match[1];
    const b = weights.get(name.replace('.lora_A', '.lora_B'));
    if (!b || tensor.shape[0] !== config.r || b.shape[1] !== config.r) {
      throw trainError(trainErrorCodes.adapterInvalid, `${weightsPath}: ${module} needs lora_A [${config.r}, in] and lora_B [out, ${config.r}]`, 'the adapter file is incomplete or its rank does not match adapter_config.json', 2);
    }
    adapter.modules.set(module, { a: tensor.data, b: b.data, rank: config.r, inFeatures: tensor.shape[1], outFeatures: b.shape[0] });
  }
  if (adapter.modules.size === 0) {
    throw trainError(trainErrorCodes.adapterInvalid, `${weightsPath} holds no lora_A/lora_B tensors`, 'export the adapter again', 2);
  }
  return { ...adapter, baseModel: config.base_model_name_or_path === undefined ? null : (config.base_model_name_or_path as string | null) };
}
