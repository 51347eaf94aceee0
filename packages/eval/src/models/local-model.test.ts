/**
 * LocalModel on a real tiny checkpoint through the real engine: log-likelihoods
 * equal a direct full forward of @chainlm/model, batching does not change them,
 * a PEFT adapter is merged, and an eval scores identically in-process and
 * through chainlm-serve (the OpenAI client against @chainlm/server).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, loadHfFolder, forward, mergeLoraAdapter, parseHfConfig, saveHfFolder, writePeftAdapter, type LoraAdapter } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import { createServer, loadServedModel } from '@chainlm/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureConfig, writeFixtureData } from '../__tests__/fixtures.js';
import { makeTinyModelFolder } from '../bench/tiny-model.js';
import { buildRunConfig } from '../config/run-config.js';
import { runEval } from '../run/run-eval.js';
import { loadLocalModel, type LocalModel } from './local-model.js';

let dir: string;
let local: LocalModel;
const root = mkdtempSync(join(tmpdir(), 'eval-local-'));

beforeAll(async () => {
  dir = await makeTinyModelFolder();
  local = await loadLocalModel(dir, { name: 'tiny' });
});
afterAll(() => local.close());

/** log p(continuation | context) from one full forward of the model, by hand. */
async function reference(context: string, continuation: string): Promise<{ logprob: number; tokenCount: number }> {
  const folder = await loadHfFolder(dir);
  const model = createModel(parseHfConfig(folder.configJson), folder.weights);
  const ids = local.tokenizer.encode(context + continuation, { addSpecialTokens: true });
  const start = Math.max(1, context === '' ? 0 : local.tokenizer.encode(context, { addSpecialTokens: true }).length);
  const logits = forward(model, tf.tensor2d([ids], undefined, 'int32')); // [1, seq, vocab]
  const logprobs = (await tf.logSoftmax(logits).array()) as number[][][];
  logits.dispose();
  model.dispose();
  let logprob = 0;
  for (let position = start; position < ids.length; position++) logprob += logprobs[0][position - 1][ids[position]];
  return { logprob, tokenCount: ids.length - start };
}

const pairs = [
  { context: 'Which is a fruit? Answer:', continuation: ' apple' },
  { context: '12+7=', continuation: '19' },
  { context: '', continuation: 'the cat sat on the mat' },
];

describe('LocalModel', () => {
  it('log-likelihood equals a direct forward pass, batched or one at a time', async () => {
    const batched = await local.loglikelihood(pairs);
    for (const [index, pair] of pairs.entries()) {
      const expected = await reference(pair.context, pair.continuation);
      expect(batched[index].tokenCount).toBe(expected.tokenCount);
      expect(batched[index].logprob).toBeCloseTo(expected.logprob, 3);
      const [alone] = await local.loglikelihood([pair]);
      expect(alone.logprob).toBeCloseTo(batched[index].logprob, 4);
    }
  });

  it('generates greedily and deterministically, applying stops', async () => {
    const [a, b] = await local.generate([
      { prompt: '12+7=', maxTokens: 6 },
      { prompt: '12+7=', maxTokens: 6 },
    ]);
    expect(a.texts).toHaveLength(1);
    expect(a.texts).toEqual(b.texts);
    const [sampled] = await local.generate([{ prompt: '3+4=', maxTokens: 4, n: 3, temperature: 1, seed: 5 }]);
    expect(sampled.texts).toHaveLength(3);
  });

  it('cuts a generation prompt longer than the context from the left (keeping BOS) instead of failing the request', async () => {
    const short = await loadLocalModel(dir, { name: 'tiny-short', engine: { maxModelLen: 32 } });
    try {
      expect(short.contextLength).toBe(32);
      const prompt = 'the cat sat on the mat and looked at the moon. '.repeat(6);
      const ids = short.tokenizer.encode(prompt, { addSpecialTokens: true });
      expect(ids.length).toBeGreaterThan(32);
      const [cut] = await short.generate([{ prompt, maxTokens: 4 }]);
      // 32 positions: the prompt keeps 32 - 1 - 4 = 27 tokens; the rest are reported.
      expect(cut.truncatedTokens).toBe(ids.length - 27);
      expect(cut.texts).toHaveLength(1);
      // The same model with room for the whole prompt cuts nothing (and says so by omission).
      const [whole] = await local.generate([{ prompt, maxTokens: 4 }]);
      expect(whole.truncatedTokens).toBeUndefined();
      // Log-likelihood requests are never cut: a too-long one still fails loudly.
      await expect(short.loglikelihood([{ context: prompt, continuation: ' x' }])).rejects.toThrow(/the prompt has \d+ tokens; the largest context is 32/);
    } finally {
      await short.close();
    }
  });

  it('refuses a prompt that encodes to no tokens', async () => {
    await expect(local.loglikelihood([{ context: '', continuation: '' }])).rejects.toMatchObject({ code: 'eval-model-request', message: expect.stringContaining('empty prompt') });
  });

  it('merges a PEFT adapter folder before inference: scores as the merged weights do, not as the base', async () => {
    const folder = await loadHfFolder(dir);
    const module = 'model.layers.0.self_attn.q_proj';
    const [outFeatures, inFeatures] = folder.weights.get(`${module}.weight`)!.shape;
    const factors = { a: Float32Array.from({ length: inFeatures }, (_, index) => ((index % 5) - 2) / 4), b: Float32Array.from({ length: outFeatures }, (_, index) => ((index % 3) - 1) / 2), rank: 1, inFeatures, outFeatures };
    const adapter: LoraAdapter = { rank: 1, alpha: 2, dropout: 0, targetModules: ['q_proj'], modules: new Map([[module, factors]]) };
    await writePeftAdapter(join(root, 'adapter'), adapter);
    await saveHfFolder(join(root, 'merged'), { configJson: folder.configJson, weights: mergeLoraAdapter(folder.weights, adapter), tokenizerFiles: folder.tokenizerFiles });
    const adapted = await loadLocalModel(dir, { name: 'tiny-lora', adapter: join(root, 'adapter') });
    const merged = await loadLocalModel(join(root, 'merged'), { name: 'tiny-merged' });
    try {
      const [[viaAdapter], [viaMerged], [base]] = await Promise.all([adapted.loglikelihood([pairs[0]]), merged.loglikelihood([pairs[0]]), local.loglikelihood([pairs[0]])]);
      expect(viaAdapter.logprob).toBeCloseTo(viaMerged.logprob, 5);
      expect(Math.abs(viaAdapter.logprob - base.logprob)).toBeGreaterThan(1e-4);
    } finally {
      await Promise.all([adapted.close(), merged.close()]);
    }
    await expect(loadLocalModel(dir, { name: 'tiny', adapter: root })).rejects.toMatchObject({ code: 'adapter-invalid', message: expect.stringContaining('not a PEFT LoRA folder') });
  });

  it('scores an eval identically in-process and through chainlm-serve', async () => {
    const dataDir = join(root, 'data');
    writeFixtureData(dataDir);
    const served = await loadServedModel(dir, { id: 'tiny' });
    const app = await createServer([served]);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = { ...fixtureConfig(dataDir, `${address}/v1`, join(root, 'runs')), limit: 6 };
      const http = await runEval(buildRunConfig({ ...base, models: [{ type: 'openai', abbr: 'tiny', baseUrl: `${address}/v1`, model: 'tiny' }] }));
      const inProcess = await runEval(buildRunConfig({ ...base, models: [{ type: 'local', abbr: 'tiny', path: dir }] }));
      expect(http.rows.length).toBe(4);
      for (const [index, row] of inProcess.rows.entries()) {
        expect({ ...row, score: undefined }).toEqual({ ...http.rows[index], score: undefined });
        expect(row.score).toBeCloseTo(http.rows[index].score, 4);
      }
    } finally {
      await app.close();
    }
  });
});
