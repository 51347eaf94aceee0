/**
 * Many LoRA adapters on one base: requests for different adapters and for the bare
 * base run in the same steps, and each gets exactly what a model with its adapter
 * merged into the weights produces (greedy tokens and logprobs). The prefix cache
 * never shares blocks between adapters, nor with a reloaded adapter of the same name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, createRng, presetConfig, type Model, type ModelConfig, type WeightMap } from '@chainlm/model';
import { Engine, type GenerateRequest } from '../engine/engine.js';
import type { RequestFinishEvent } from '../engine/events.js';
import { stepModelFrom } from '../model/step-model.js';
import type { LoraAdapterInput } from './adapter-registry.js';

const projections = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];
let config: ModelConfig;
let weights: WeightMap;
let base: Model;
const models: Model[] = [];
const engines: Engine[] = [];

function randomAdapter(modules: string[], rank: number, alpha: number, seed: number): LoraAdapterInput {
  const rng = createRng(seed);
  const fill = (size: number) => Float32Array.from({ length: size }, () => 0.2 * rng.normal());
  return {
    rank,
    alpha,
    modules: new Map(
      modules.map((module) => {
        const [outFeatures, inFeatures] = weights.get(`${module}.weight`)!.shape as [number, number];
        return [module, { a: fill(rank * inFeatures), b: fill(outFeatures * rank), inFeatures, outFeatures }];
      }),
    ),
  };
}

/** W' = W + (alpha / rank)·B·A, float64 per output value. */
function merged(adapter: LoraAdapterInput): Model {
  const out: WeightMap = new Map(weights);
  const scale = adapter.alpha / adapter.rank;
  for (const [module, { a, b, inFeatures, outFeatures }] of adapter.modules) {
    const weight = weights.get(`${module}.weight`)!;
    const data = new Float32Array(weight.data.length);
    for (let row = 0; row < outFeatures; row++) {
      for (let column = 0; column < inFeatures; column++) {
        let delta = 0;
        for (let k = 0; k < adapter.rank; k++) delta += b[row * adapter.rank + k]! * a[k * inFeatures + column]!;
        data[row * inFeatures + column] = weight.data[row * inFeatures + column]! + scale * delta;
      }
    }
    out.set(`${module}.weight`, { ...weight, data });
  }
  const model = createModel(config, out);
  models.push(model);
  return model;
}

function engineFor(model: Model, blockSize = 4): Engine {
  const engine = new Engine(stepModelFrom(model), { config: { cacheGiB: 0.005, blockSize, maxSeqs: 8, capToUsable: false } });
  engines.push(engine);
  return engine;
}

function run(engine: Engine, request: GenerateRequest): Promise<RequestFinishEvent> {
  return new Promise((resolve) => engine.addRequest(request, (event) => event.type === 'request-finish' && resolve(event)));
}

const greedy = { temperature: 0, maxTokens: 6, ignoreEos: true, logprobs: 0 };
const prompt = [5, 17, 3, 99, 42, 7, 61, 8, 13];

beforeAll(async () => {
  await initBackend();
  config = presetConfig('tiny', { vocabSize: 128, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositionEmbeddings: 64 });
  base = createModel(config, undefined, { seed: 3 });
  models.push(base);
  weights = base.toWeightMap();
});

afterAll(async () => {
  for (const engine of engines) await engine.close();
  for (const model of models) model.dispose();
});

describe('LoRA adapters in the engine', () => {
  const small = () => randomAdapter(['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.mlp.down_proj'], 2, 4, 21);
  const full = () => randomAdapter([0, 1].flatMap((layer) => projections.map((name) => `model.layers.${layer}.${name}`)), 4, 8, 22);

  it('batches base and adapter requests in the same steps, each equal to its merged model', async () => {
    const engine = engineFor(base);
    engine.loadAdapter('small', small());
    engine.loadAdapter('full', full());
    expect(engine.adapterNames).toEqual(['small', 'full']);
    const names = [undefined, 'small', 'full', 'small', undefined, 'full'];
    const prompts = names.map((_, index) => prompt.map((token) => (token + index * 7) % config.vocabSize));
    const served = await Promise.all(names.map((adapter, index) => run(engine, { promptTokenIds: prompts[index], sampling: greedy, ...(adapter ? { adapter } : {}) })));
    // All six ran together: one prefill step and five decode steps.
    expect(engine.metrics().steps).toBe(greedy.maxTokens);
    const references = { base: engineFor(base), small: engineFor(merged(small())), full: engineFor(merged(full())) };
    for (const [index, adapter] of names.entries()) {
      const expected = await run(references[adapter ?? 'base'], { promptTokenIds: prompts[index], sampling: greedy });
      expect(served[index].outputs[0].tokenIds, `request ${index} (${adapter ?? 'base'})`).toEqual(expected.outputs[0].tokenIds);
      served[index].outputs[0].logprobs!.forEach((entry, position) => expect(entry.logprob).toBeCloseTo(expected.outputs[0].logprobs![position].logprob, 4));
    }
    // The adapters matter: the comparison can fail.
    const plain = await run(references.base, { promptTokenIds: prompts[2], sampling: greedy });
    expect(plain.outputs[0].logprobs![0].logprob).not.toBeCloseTo(served[2].outputs[0].logprobs![0].logprob, 3);
  });

  it('never shares prefix-cache blocks across adapters, nor with a reloaded adapter of the same name', async () => {
    const engine = engineFor(base);
    engine.loadAdapter('small', small());
    const hits = async (adapter?: string) => (await run(engine, { promptTokenIds: prompt, sampling: { ...greedy, maxTokens: 1 }, ...(adapter ? { adapter } : {}) })).metrics.prefixHitTokens;
    expect(await hits()).toBe(0);
    expect(await hits('small')).toBe(0);
    expect(await hits('small')).toBe(8);
    expect(await hits()).toBe(8);
    engine.unloadAdapter('small');
    engine.loadAdapter('small', full());
    expect(await hits('small')).toBe(0);
    const reloaded = await run(engine, { promptTokenIds: prompt, sampling: greedy, adapter: 'small' });
    const reference = await run(engineFor(merged(full())), { promptTokenIds: prompt, sampling: greedy });
    expect(reloaded.outputs[0].tokenIds).toEqual(reference.outputs[0].tokenIds);
  });

  it('refuses unknown adapters, busy unloads and adapters that do not fit the base', async () => {
    const engine = engineFor(base);
    expect(() => engine.addRequest({ promptTokenIds: prompt, adapter: 'missing' })).toThrow(/request.adapter: no adapter named "missing" is loaded/);
    expect(() => engine.unloadAdapter('missing')).toThrow(/no adapter named "missing"/);
    engine.loadAdapter('small', small());
    expect(() => engine.loadAdapter('small', small())).toThrow(/already loaded/);
    const running = run(engine, { promptTokenIds: prompt, sampling: { ...greedy, maxTokens: 4 }, adapter: 'small' });
    expect(() => engine.unloadAdapter('small')).toThrow(/has 1 request\(s\) in flight/);
    await running;
    engine.unloadAdapter('small');
    expect(engine.adapterNames).toEqual([]);
    const bad = (name: string, mutate: (input: LoraAdapterInput) => LoraAdapterInput, message: RegExp) => expect(() => engine.loadAdapter(name, mutate(small()))).toThrow(message);
    bad('x1', (input) => ({ ...input, modules: new Map([['model.embed_tokens', [...input.modules.values()][0]]]) }), /model.embed_tokens: not a linear projection/);
    bad('x2', (input) => ({ ...input, modules: new Map([['model.layers.5.self_attn.q_proj', [...input.modules.values()][0]]]) }), /layer 5 does not exist/);
    bad('x3', (input) => ({ ...input, modules: new Map([['model.layers.0.mlp.up_proj', [...input.modules.values()][0]]]) }), /adapts a \[32, 32\] weight, the base has \[64, 32\]/);
    bad('x4', (input) => ({ ...input, rank: 3 }), /A has 64 and B 64 values for rank 3/);
    bad('x5', (input) => ({ ...input, modules: new Map() }), /adapts no module/);
    bad('', (input) => input, /non-empty name/);
    const noLora = new Engine({ ...stepModelFrom(base), acceptsLora: false }, { config: { cacheGiB: 0.005, capToUsable: false } });
    engines.push(noLora);
    expect(() => noLora.loadAdapter('small', small())).toThrow(/does not apply LoRA/);
  });
});
