/**
 * PEFT names an adapted module as the checkpoint names its weight: Llama and Qwen2
 * `self_attn.q_proj` … `mlp.down_proj`, InternLM2 `attention.wqkv`, `attention.wo`,
 * `feed_forward.w1/w2/w3`. The engine adapts canonical (HF Llama) projections, so each
 * module goes through @chainlm/model's architecture map (`toCanonicalWeights`) with B
 * standing in for the weight: B [out, rank] has the weight's rows, A [rank, in] its
 * columns.
 *
 * InternLM2's packed wqkv is handled exactly, not refused: ΔW = B·A, so ΔW's rows are
 * B's rows, laid out as wqkv's (per kv head: its G query heads, then k, then v).
 * Unpacking B's rows the way the model unpacks the weight's gives q, k and v LoRAs of
 * the same rank that share A, and their sum is the packed update.
 */
import { join } from 'node:path';
import { ChainlmError } from '@chainlm/core';
import type { LoraAdapterInput, LoraModuleInput } from '@chainlm/engine';
import { fromCanonicalWeights, peftWeightsFile, readPeftAdapter, toCanonicalWeights, type ModelConfig, type WeightMap } from '@chainlm/model';

const canonicalProjections = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];
const layerModule = /^model\.layers\.(\d+)\.(.+)$/;

function invalid(message: string, hint: string): ChainlmError {
  return new ChainlmError('server-adapter-invalid', message, { hint, exitCode: 2 });
}

/** This architecture's names of the adaptable projections (layer-relative, e.g. `attention.wqkv`). */
export function architectureProjections(config: ModelConfig): string[] {
  // q/k/v need their true row counts (InternLM2 packs them by rows); one row stands in for the others.
  const heads: Record<string, number> = { 'self_attn.q_proj': config.numHeads, 'self_attn.k_proj': config.numKvHeads, 'self_attn.v_proj': config.numKvHeads };
  const rows = (projection: string) => (heads[projection] ?? 0) * config.headDim || 1;
  // One layer of placeholder weights (1-D, so packing copies a few floats) through the model's own renaming.
  const probe: WeightMap = new Map(canonicalProjections.map((projection) => [`model.layers.0.${projection}.weight`, { shape: [rows(projection)], dtype: 'F32', data: new Float32Array(rows(projection)) }]));
  return [...fromCanonicalWeights(config, probe).keys()].map((name) => name.slice('model.layers.0.'.length, -'.weight'.length));
}

/** A PEFT folder (read by @chainlm/model, the format's owner) with its modules under the base's canonical names, ready for the engine. */
export async function readServedAdapter(dir: string, config: ModelConfig): Promise<LoraAdapterInput> {
  const adapter = await readPeftAdapter(dir);
  return { rank: adapter.rank, alpha: adapter.alpha, modules: toCanonicalModules(config, adapter.modules, adapter.rank, join(dir, peftWeightsFile)) };
}

/** The adapter's modules under canonical names, ready for the engine; `source` names the file in errors. */
export function toCanonicalModules(config: ModelConfig, modules: ReadonlyMap<string, LoraModuleInput>, rank: number, source: string): Map<string, LoraModuleInput> {
  const projections = architectureProjections(config);
  const canonical = new Map<string, LoraModuleInput>();
  for (const [module, factors] of modules) {
    const match = layerModule.exec(module);
    if (!match || !projections.includes(match[2])) {
      throw invalid(
        `${source}: module ${module} is not a linear projection of this ${config.architecture} model`,
        `LoRA on a ${config.architecture} base targets model.layers.<i>.{${projections.join(', ')}}; serve the adapter on the base it was trained on`,
      );
    }
    let parts: WeightMap;
    try {
      parts = toCanonicalWeights(config, new Map([[`${module}.weight`, { shape: [factors.outFeatures, rank], dtype: 'F32', data: factors.b }]]));
    } catch (error) {
      throw invalid(`${source}: module ${module}: lora_B does not fit the packed weight (${(error as Error).message})`, 'serve the adapter on the base it was trained on');
    }
    for (const [name, b] of parts) canonical.set(name.slice(0, -'.weight'.length), { a: factors.a, b: b.data, inFeatures: factors.inFeatures, outFeatures: b.shape[0]! });
  }
  return canonical;
}
