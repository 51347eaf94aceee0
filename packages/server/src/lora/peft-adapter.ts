/**
 * Reads a HF PEFT LoRA folder — what `peft` and chainlm-train's savePeftAdapter
 * write: adapter_config.json (snake_case, a file format) and
 * adapter_model.safetensors with keys `base_model.model.<module>.lora_A.weight`
 * [rank, in] and `….lora_B.weight` [out, rank] (`.default` infix accepted). Given
 * the base's config, module names in the architecture's own naming (InternLM2's
 * attention.wqkv, …) come out canonical (`model.layers.0.self_attn.q_proj`) — see
 * adapter-modules.ts; the engine checks shapes against the base model.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ChainlmError } from '@chainlm/core';
import type { LoraAdapterInput, LoraModuleInput } from '@chainlm/engine';
import { readSafetensors, type ModelConfig } from '@chainlm/model';
import { toCanonicalModules } from './adapter-modules.js';

const peftConfigSchema = z.looseObject({
  peft_type: z.literal('LORA'),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  target_modules: z.union([z.array(z.string()), z.string()]).optional(),
  bias: z.string().default('none'),
  fan_in_fan_out: z.boolean().default(false),
  use_rslora: z.boolean().default(false),
  use_dora: z.boolean().default(false),
  base_model_name_or_path: z.string().nullish(),
});

export interface PeftAdapter extends LoraAdapterInput {
  /** The base model the adapter was trained on, as its config says (informational). */
  baseModel: string | null;
}

function invalid(message: string, hint: string): ChainlmError {
  return new ChainlmError('server-adapter-invalid', message, { hint, exitCode: 2 });
}

/** Reads the folder; with the base's `config`, module names are mapped from its architecture's naming. */
export async function readPeftAdapter(dir: string, config?: ModelConfig): Promise<PeftAdapter> {
  const configPath = join(dir, 'adapter_config.json');
  const weightsPath = join(dir, 'adapter_model.safetensors');
  if (!existsSync(configPath) || !existsSync(weightsPath)) {
    throw invalid(`${dir} is not a PEFT LoRA folder (it needs adapter_config.json and adapter_model.safetensors)`, 'export the adapter with `chainlm-train export RUN --adapter DIR` or PEFT\'s save_pretrained');
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    throw invalid(`${configPath}: not valid JSON (${(error as Error).message})`, 'fix or re-export the adapter');
  }
  const parsed = peftConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${configPath}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, 'only LoRA adapters (peft_type "LORA") are served');
  }
  const peft = parsed.data;
  if (peft.fan_in_fan_out || peft.use_rslora || peft.use_dora || peft.bias !== 'none') {
    throw invalid(`${configPath}: fan_in_fan_out, use_rslora, use_dora and LoRA biases are not supported`, 'export with bias "none" and plain LoRA, or merge the adapter into the base');
  }
  const tensors = await readSafetensors(weightsPath);
  const modules = new Map<string, LoraModuleInput>();
  for (const [key, tensor] of tensors) {
    const match = /^(?:base_model\.model\.)?(.+)\.lora_A(?:\.default)?\.weight$/.exec(key);
    if (!match) continue;
    const b = tensors.get(key.replace('.lora_A', '.lora_B'));
    if (!b || tensor.shape.length !== 2 || b.shape.length !== 2 || tensor.shape[0] !== peft.r || b.shape[1] !== peft.r) {
      throw invalid(`${weightsPath}: ${match[1]} needs lora_A [${peft.r}, in] and lora_B [out, ${peft.r}]`, 'the adapter file is incomplete or its rank does not match adapter_config.json');
    }
    modules.set(match[1], { a: tensor.data, b: b.data, inFeatures: tensor.shape[1], outFeatures: b.shape[0] });
  }
  if (modules.size === 0) throw invalid(`${weightsPath} holds no lora_A/lora_B tensors`, 'export the adapter again');
  return { rank: peft.r, alpha: peft.lora_alpha, modules: config ? toCanonicalModules(config, modules, peft.r, weightsPath) : modules, baseModel: peft.base_model_name_or_path ?? null };
}
