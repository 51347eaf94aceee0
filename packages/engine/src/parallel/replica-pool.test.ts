/**
 * ReplicaPool against in-thread Engines on the same weights: token-for-token equal
 * greedy output from a preset, an HF folder with its tokenizer (text prompts, text
 * deltas, stop strings), a quantized folder and front-quantized weights; adapters on
 * every replica; summed metrics; bookkeeping back to zero; and a replica terminated
 * mid-request. Worker threads run the built worker from dist/ (`npm test` builds).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, createRng, loadTokenizer, presetConfig, type Model } from '@chainlm/model';
import { Engine, type GenerateRequest } from '../engine/engine.js';
import type { EngineEvent, RequestFinishEvent } from '../engine/events.js';
import { stepModelFrom } from '../model/step-model.js';
import type { LoraAdapterInput } from '../lora/adapter-registry.js';
import { createQuantizedModel, quantizeModel } from '../quant/quantize-model.js';
import { saveQuantized } from '../quant/quantized-io.js';
import { writeTinyFolder } from '../testing/tiny-folder.js';
import { createAllowListConstraint } from '../testing/allow-list-constraint.js';
import type { ServingEngine } from '../serving-engine.js';
import { ReplicaPool } from './replica-pool.js';

const config = { cacheGiB: 0.01, blockSize: 16, maxSeqs: 8 };
const requests = [[1, 5], [1, 9, 9, 9], [1], [1, 200, 3]].map((promptTokenIds) => ({ promptTokenIds, sampling: { temperature: 0, maxTokens: 12, ignoreEos: true } }));

function run(engine: ServingEngine, request: GenerateRequest, onEvent: (event: EngineEvent) => void = () => {}): Promise<RequestFinishEvent> {
  return new Promise((resolve) => engine.addRequest(request, (event) => (onEvent(event), event.type === 'request-finish' && resolve(event))));
}

const tokens = (events: RequestFinishEvent[]) => events.map((event) => event.outputs[0]?.tokenIds);

/** A LoRA adapter on the tiny preset strong enough to change its greedy output. */
function sharpAdapter(): LoraAdapterInput {
  const rng = createRng(8);
  const fill = (size: number) => Float32Array.from({ length: size }, () => 0.3 * rng.normal());
  const projection = (outFeatures: number) => ({ a: fill(2 * 64), b: fill(outFeatures * 2), inFeatures: 64, outFeatures });
  return { rank: 2, alpha: 4, modules: new Map([['model.layers.1.self_attn.v_proj', projection(32)], ['model.layers.0.self_attn.q_proj', projection(64)], ['model.layers.1.self_attn.q_proj', projection(64)]]) };
}

describe('ReplicaPool (worker threads; runs the built worker from dist/)', () => {
  let pool: ReplicaPool;
  beforeAll(async () => {
    await initBackend();
    pool = await ReplicaPool.create(2, { preset: 'tiny', seed: 4 }, config);
  });
  afterAll(async () => pool?.close());

  it('spreads requests over replicas and matches a single in-thread engine token for token', async () => {
    const pooled = await Promise.all(requests.map((request) => run(pool, request)));
    const model = createModel(presetConfig('tiny'), undefined, { seed: 4 });
    const engine = new Engine(stepModelFrom(model), { config });
    const local = await Promise.all(requests.map((request) => run(engine, request)));
    expect(tokens(pooled)).toEqual(tokens(local));
    await engine.close();
    model.dispose();
  });

  it('a request a replica rejects finishes with its error and code', async () => {
    const event = await run(pool, { promptTokenIds: [99999] });
    expect(event.error).toMatch(/token id 99999/);
    expect(event.errorCode).toBe('engine-request-invalid');
    const tooLong = await run(pool, { promptTokenIds: Array(300).fill(1) });
    expect(tooLong.errorCode).toBe('engine-request-too-long');
    expect(() => pool.addRequest({ promptTokenIds: [1], constraint: { mask: (_index, _generated, logits) => logits } }, () => {})).toThrow(/has no `portable` form, so it cannot cross to a replica thread/);
  });

  it('rebuilds a portable constraint in the replica and applies it', async () => {
    const allowed = [7, 11, 300];
    const events = await Promise.all([0, 1, 2].map((seed) => run(pool, { promptTokenIds: [1, 5 + seed], constraint: createAllowListConstraint({}, { allowed }), sampling: { temperature: 1, seed, maxTokens: 10, ignoreEos: true } })));
    for (const event of events) expect(event.outputs[0].tokenIds.every((id) => allowed.includes(id))).toBe(true);
    expect(new Set(events.flatMap((event) => event.outputs[0].tokenIds)).size).toBeGreaterThan(1);
  });

  it('splits the KV budget between replicas and reports the plan once for the pool', () => {
    expect(pool.plan.budgetBytes).toBeCloseTo((0.01 * 1024 ** 3) / 2, 0);
    expect(pool.describePlan()).toMatch(/replicas +2 worker threads/);
  });

  it('rejects a bad replica count and a folder that is not a model', async () => {
    await expect(ReplicaPool.create(0, { preset: 'tiny', seed: 1 }, config)).rejects.toThrow(/replicas must be a positive integer/);
    await expect(ReplicaPool.create(2, { folder: mkdtempSync(join(tmpdir(), 'chainlm-empty-')) }, config)).rejects.toThrow(/config\.json/);
  });
});

describe('ReplicaPool serving a model folder', () => {
  let dir: string;
  let model: Model;
  let engine: Engine;
  let pool: ReplicaPool;
  beforeAll(async () => {
    await initBackend();
    ({ dir, model } = await writeTinyFolder(5));
    engine = new Engine(stepModelFrom(model), { config, tokenizer: await loadTokenizer(dir) });
    pool = await ReplicaPool.create(2, { folder: dir }, config, { metricsIntervalMs: 20 });
  });
  afterAll(async () => {
    await pool?.close();
    await engine?.close();
    model?.dispose();
  });

  it('loads the tokenizer: text prompts, text deltas and stop strings as one engine', async () => {
    expect(pool.hasTokenizer).toBe(true);
    expect(pool.modelConfig.architecture).toBe('llama');
    const prompts = ['Once upon a time', 'The cat sat', 'A dog ran to the', 'the sun'];
    const request = (prompt: string): GenerateRequest => ({ prompt, sampling: { temperature: 0, maxTokens: 10, ignoreEos: true } });
    const deltas: string[] = [];
    const pooled = await Promise.all(prompts.map((prompt, index) => run(pool, request(prompt), (event) => index === 0 && event.type === 'text-delta' && deltas.push(event.text))));
    const local = await Promise.all(prompts.map((prompt) => run(engine, request(prompt))));
    expect(pooled.map((event) => event.outputs[0].text)).toEqual(local.map((event) => event.outputs[0].text));
    expect(deltas.join('')).toBe(pooled[0].outputs[0].text);
    const stop = local[0].outputs[0].text.slice(2, 4);
    const stopped = await run(pool, { ...request(prompts[0]), sampling: { temperature: 0, maxTokens: 10, ignoreEos: true, stop: [stop] } });
    expect(stopped.outputs[0]).toMatchObject({ finishReason: 'stop', stopReason: stop });
  });

  it('loads an adapter on every replica (same output as one engine with it), refuses to unload it while busy', async () => {
    const adapter = sharpAdapter();
    const { modules } = adapter;
    await pool.loadAdapter('sharp', adapter);
    engine.loadAdapter('sharp', adapter);
    expect(pool.adapterNames).toEqual(['sharp']);
    const request = (index: number): GenerateRequest => ({ promptTokenIds: [0, 5 + index, 9], adapter: 'sharp', sampling: { temperature: 0, maxTokens: 8, ignoreEos: true } });
    const running = [0, 1, 2, 3].map((index) => run(pool, request(index)));
    await expect(pool.unloadAdapter('sharp')).rejects.toThrow(/"sharp" has 4 request\(s\) in flight/);
    const pooled = await Promise.all(running);
    const local = await Promise.all([0, 1, 2, 3].map((index) => run(engine, request(index))));
    expect(tokens(pooled)).toEqual(tokens(local));
    const base = await run(pool, { ...request(0), adapter: undefined });
    expect(base.outputs[0].tokenIds).not.toEqual(pooled[0].outputs[0].tokenIds);
    await expect(pool.loadAdapter('bad', { rank: 2, alpha: 4, modules: new Map([['model.layers.9.self_attn.q_proj', modules.get('model.layers.0.self_attn.q_proj')!]]) })).rejects.toThrow(/layer 9 does not exist/);
    expect(pool.adapterNames).toEqual(['sharp']);
    await pool.unloadAdapter('sharp');
    expect(pool.adapterNames).toEqual([]);
    expect((await run(pool, request(0))).error).toMatch(/no adapter named "sharp"/);
  });

  it('sums the replicas\' metrics and leaves no per-request state behind', async () => {
    const before = await pool.refreshMetrics();
    const finished = await Promise.all(Array.from({ length: 12 }, (_, index) => run(pool, { promptTokenIds: [0, index + 3], sampling: { temperature: 0, maxTokens: 5, ignoreEos: true } })));
    const after = await pool.refreshMetrics();
    expect(after.generatedTokens - before.generatedTokens).toBe(finished.reduce((sum, event) => sum + event.outputs[0].tokenIds.length, 0));
    expect(after.running + after.waiting + after.kvBlocksUsed).toBe(0);
    expect(after.kvBlocksFree).toBe(2 * pool.plan.numBlocks);
    expect(await pool.bookkeeping()).toEqual({ listeners: 0, inFlight: 0, adapterRequests: 0, operations: 0, replicas: [0, 1].map(() => ({ requests: 0, listeners: 0, adapterRequests: 0, sequences: 0, blockTables: 0 })) });
  });

  it('a terminated replica fails its requests with engine-replica-lost; the other keeps serving; it is restarted with the adapters', async () => {
    await pool.loadAdapter('kept', sharpAdapter());
    const long = { temperature: 0, maxTokens: 200, ignoreEos: true };
    let streaming!: () => void;
    const firstDelta = new Promise<void>((resolve) => (streaming = resolve));
    // Requests alternate between the two idle replicas: 0 and 2 go to replica 0.
    const running = [0, 1, 2, 3].map((index) => run(pool, { promptTokenIds: [0, index + 3], sampling: long }, (event) => index === 0 && event.type === 'text-delta' && streaming()));
    await firstDelta;
    await pool.terminateReplica(0);
    const outcomes = await Promise.all(running);
    const lost = outcomes.filter((event) => event.errorCode === 'engine-replica-lost');
    expect(lost.length).toBe(2);
    expect(lost[0].error).toMatch(/replica 0 stopped/);
    expect(outcomes.filter((event) => !event.error).every((event) => event.outputs[0].tokenIds.length === 200)).toBe(true);
    const after = await run(pool, { promptTokenIds: [0, 3], sampling: { temperature: 0, maxTokens: 4, ignoreEos: true } });
    expect(after.outputs[0].tokenIds).toHaveLength(4);
    // Restarted in the background (a worker start takes a moment), then both replicas serve the adapter alike.
    for (const deadline = Date.now() + 60_000; pool.liveReplicas < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.liveReplicas).toBe(2);
    expect(pool.restarts).toBe(1);
    expect((await pool.refreshMetrics()).kvBlocksFree).toBe(2 * pool.plan.numBlocks);
    const withAdapter = { promptTokenIds: [0, 5, 9], adapter: 'kept', sampling: { temperature: 0, maxTokens: 8, ignoreEos: true } };
    const both = await Promise.all([run(pool, withAdapter), run(pool, withAdapter)]);
    expect(both.map((event) => event.error)).toEqual([undefined, undefined]);
    expect(both[0].outputs[0].tokenIds).toEqual(both[1].outputs[0].tokenIds);
    expect(both[0].outputs[0].tokenIds).not.toEqual((await run(pool, { ...withAdapter, adapter: undefined })).outputs[0].tokenIds);
    await pool.unloadAdapter('kept');
  });

  it('stops restarting a replica that keeps dying, and says so', async () => {
    const lines: string[] = [];
    const single = await ReplicaPool.create(1, { preset: 'tiny', seed: 4 }, config, { restart: { maxRestarts: 1, windowMs: 60_000 }, log: (line) => lines.push(line) });
    try {
      await single.terminateReplica(0);
      for (const deadline = Date.now() + 60_000; single.liveReplicas < 1 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(single.restarts).toBe(1);
      expect((await run(single, { promptTokenIds: [0, 3], sampling: { temperature: 0, maxTokens: 3, ignoreEos: true } })).outputs[0].tokenIds).toHaveLength(3);
      await single.terminateReplica(0);
      for (const deadline = Date.now() + 5_000; !lines.some((line) => line.includes('not restarting')) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines.find((line) => line.includes('not restarting'))).toMatch(/replica 0 stopped \(exit code 1\); not restarting: it was restarted 1 times in the last 60 s \(0 of 1 replicas serve on\)/);
      expect(single.liveReplicas).toBe(0);
      expect(() => single.addRequest({ promptTokenIds: [1] }, () => {})).toThrow(/all 1 replicas have stopped/);
    } finally {
      await single.close();
    }
  });
});

describe('ReplicaPool with quantized weights', () => {
  it('serves a quantized.json folder and weights the front quantized, as one engine on the same quantized weights', async () => {
    await initBackend();
    const { dir, model } = await writeTinyFolder(6);
    const quantized = quantizeModel(model, { bits: 4, groupSize: 32 });
    const quantizedDir = mkdtempSync(join(tmpdir(), 'chainlm-quantized-'));
    await saveQuantized(quantizedDir, quantized);
    const local = createQuantizedModel(quantized);
    const engine = new Engine(stepModelFrom(local), { config });
    const small = requests.map((request) => ({ ...request, promptTokenIds: request.promptTokenIds.map((id) => id % 50) }));
    const expected = tokens(await Promise.all(small.map((request) => run(engine, request))));
    for (const spec of [{ folder: quantizedDir }, { folder: dir, quantized }]) {
      const pool = await ReplicaPool.create(2, spec, config);
      expect(tokens(await Promise.all(small.map((request) => run(pool, request))))).toEqual(expected);
      await pool.close();
    }
    await engine.close();
    local.dispose();
    model.dispose();
  });
});
