/**
 * LocalModel on a real tiny checkpoint through the real engine: log-likelihoods
 * equal a direct full forward of @chainlm/model, batching does not change them,
 * a PEFT adapter is merged, and an eval scores identically in-process and
 * through chainlm-serve (the OpenAI client against @chainlm/server).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, loadHfFolder, forward, parseHfConfig, writeSafetensors, type WeightMap } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import { createServer, loadServedModel } from '@chainlm/server';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureConfig, writeFixtureData } from '../__tests__/fixtures.js';
import { makeTinyModelFolder } from '../bench/tiny-model.js';
import { buildRunConfig } from '../config/run-config.js';
import { runEval } from '../run/run-eval.js';
import { loadLocalModel, type LocalModel } from './local-model.js';
import { mergePeftAdapter } from './peft-merge.js';

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

  it('refuses a prompt that encodes to no tokens', async () => {
    await expect(local.loglikelihood([{ context: '', continuation: '' }])).rejects.toMatchObject({ code: 'eval-model-request', message: expect.stringContaining('empty prompt') });
  });

  it('merges a PEFT adapter: W += (alpha / r) · B · A', async () => {
    const base: WeightMap = new Map([['m.q_proj.weight', { shape: [2, 3], dtype: 'F32', data: new Float32Array([1, 2, 3, 4, 5, 6]) }]]);
    const adapterDir = mkdtempSync(join(tmpdir(), 'eval-adapter-'));
    writeFileSync(join(adapterDir, 'adapter_config.json'), JSON.stringify({ r: 1, lora_alpha: 2, target_modules: ['q_proj'], peft_type: 'LORA' }));
    await writeSafetensors(join(adapterDir, 'adapter_model.safetensors'), new Map([
      ['base_model.model.m.q_proj.lora_A.weight', { shape: [1, 3], dtype: 'F32', data: new Float32Array([1, 0, -1]) }],
      ['base_model.model.m.q_proj.lora_B.weight', { shape: [2, 1], dtype: 'F32', data: new Float32Array([0.5, 1]) }],
    ]));
    const merged = await mergePeftAdapter(base, adapterDir);
    // delta = 2 · [[0.5], [1]] · [[1, 0, −1]] = [[1, 0, −1], [2, 0, −2]]
    expect([...merged.get('m.q_proj.weight')!.data]).toEqual([2, 2, 2, 6, 5, 4]);
    expect([...base.get('m.q_proj.weight')!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(mergePeftAdapter(new Map(), adapterDir)).rejects.toThrow(/the base model has no weight m.q_proj.weight/);
    await expect(mergePeftAdapter(base, root)).rejects.toMatchObject({ code: 'eval-model-capability' });
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
