/**
 * PEFT adapters in an architecture's own module names: an InternLM2-shaped base
 * (packed attention.wqkv with G = 2 query heads per kv head, attention.wo,
 * feed_forward.w1/w2/w3) and an adapter keyed by those names answers exactly as the
 * adapter merged into the packed weights — so B's rows on wqkv are split the way the
 * model splits the weight. Foreign names and a wqkv B of the wrong height are refused
 * naming the module.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, presetConfig, saveHfFolder, toHfConfig, type ModelConfig, type WeightMap } from '@chainlm/model';
import { createServer } from '../app/create-server.js';
import { loadServedModel } from '../app/load-model.js';
import { mergeLora, randomLoraAdapter, writePeftFolder } from '../testing/lora-fixtures.js';
import { architectureProjections, readServedAdapter } from './adapter-modules.js';

let config: ModelConfig;
let weights: WeightMap;
let base: string;
let adapterDir: string;
const apps: FastifyInstance[] = [];
const engine = { maxSeqs: 4, cacheGiB: 0.005 };
const internlm2Modules = ['attention.wqkv', 'attention.wo', 'feed_forward.w1', 'feed_forward.w2', 'feed_forward.w3'];

beforeAll(async () => {
  await initBackend();
  config = presetConfig('tiny', { architecture: 'internlm2', vocabSize: 64, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositionEmbeddings: 64 });
  const model = createModel(config, undefined, { seed: 11 });
  weights = model.toWeightMap();
  model.dispose();
  const work = mkdtempSync(join(tmpdir(), 'chainlm-internlm2-'));
  base = join(work, 'base');
  await saveHfFolder(base, { configJson: toHfConfig(config), weights });
  const adapter = randomLoraAdapter(weights, [0, 1].flatMap((layer) => internlm2Modules.map((module) => `model.layers.${layer}.${module}`)), 4, 8, 5, 0.3);
  adapterDir = join(work, 'adapter');
  await writePeftFolder(adapterDir, adapter);
  await saveHfFolder(join(work, 'merged'), { configJson: toHfConfig(config), weights: mergeLora(weights, adapter) });
  apps.push(await createServer([await loadServedModel(base, { id: 'base', engine })], { adapters: [{ name: 'lora', path: adapterDir }] }));
  apps.push(await createServer([await loadServedModel(join(work, 'merged'), { id: 'lora', engine })]));
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
});

describe('PEFT adapters in InternLM2 names', () => {
  it('knows each architecture\'s projection names from the model package\'s map', () => {
    expect(architectureProjections(config)).toEqual(['attention.wqkv', 'attention.wo', 'feed_forward.w1', 'feed_forward.w3', 'feed_forward.w2']);
    expect(architectureProjections(presetConfig('tiny'))).toEqual(['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']);
    expect(architectureProjections(presetConfig('tiny', { architecture: 'qwen2', attentionBias: true }))).toContain('self_attn.q_proj');
  });

  it('maps wqkv (split into q/k/v sharing A), wo and w1/w2/w3 onto the canonical projections', async () => {
    const adapter = await readServedAdapter(adapterDir, config);
    expect([...adapter.modules.keys()].filter((name) => name.startsWith('model.layers.0.')).sort()).toEqual(
      ['mlp.down_proj', 'mlp.gate_proj', 'mlp.up_proj', 'self_attn.k_proj', 'self_attn.o_proj', 'self_attn.q_proj', 'self_attn.v_proj'].map((name) => `model.layers.0.${name}`),
    );
    const q = adapter.modules.get('model.layers.0.self_attn.q_proj')!;
    expect([q.outFeatures, adapter.modules.get('model.layers.0.self_attn.k_proj')!.outFeatures]).toEqual([32, 16]);
    expect(adapter.modules.get('model.layers.0.self_attn.v_proj')!.a).toBe(q.a);
  });

  it('answers as the adapter merged into the packed weights', async () => {
    const body = (model: string) => ({ model, prompt: [3, 9, 17, 30, 41], max_tokens: 6, temperature: 0, ignore_eos: true, logprobs: 1 });
    const [served, merged, plain] = await Promise.all([
      apps[0].inject({ method: 'POST', url: '/v1/completions', payload: body('lora') }),
      apps[1].inject({ method: 'POST', url: '/v1/completions', payload: body('lora') }),
      apps[0].inject({ method: 'POST', url: '/v1/completions', payload: body('base') }),
    ]);
    expect(served.statusCode, served.body).toBe(200);
    const [mine, theirs] = [served.json().choices[0].logprobs, merged.json().choices[0].logprobs];
    expect(mine.tokens).toEqual(theirs.tokens);
    mine.token_logprobs.forEach((logprob: number, index: number) => expect(logprob).toBeCloseTo(theirs.token_logprobs[index], 4));
    expect(plain.json().choices[0].logprobs.token_logprobs[0]).not.toBeCloseTo(mine.token_logprobs[0], 3);
  });

  it('refuses Llama names on an InternLM2 base, and a wqkv lora_B of the wrong height, naming the module', async () => {
    const work = mkdtempSync(join(tmpdir(), 'chainlm-internlm2-bad-'));
    const canonical = createModel({ ...config, architecture: 'llama' }, undefined, { seed: 1 });
    await writePeftFolder(join(work, 'llama-names'), randomLoraAdapter(canonical.toWeightMap(), ['model.layers.0.self_attn.q_proj'], 2, 4, 1));
    canonical.dispose();
    await expect(readServedAdapter(join(work, 'llama-names'), config)).rejects.toThrow(/module model\.layers\.0\.self_attn\.q_proj is not a linear projection of this internlm2 model/);
    const short: WeightMap = new Map([['model.layers.0.attention.wqkv.weight', { shape: [40, 32], dtype: 'F32', data: new Float32Array(40 * 32) }]]);
    await writePeftFolder(join(work, 'short'), randomLoraAdapter(short, ['model.layers.0.attention.wqkv'], 2, 4, 1));
    await expect(readServedAdapter(join(work, 'short'), config)).rejects.toThrow(/module model\.layers\.0\.attention\.wqkv: lora_B does not fit the packed weight .*40 rows, expected .* = 64/);
  });
});
