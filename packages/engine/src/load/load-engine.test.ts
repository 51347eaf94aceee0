/**
 * loadEngine: a model folder becomes a running engine (the path chainlm-serve and
 * chainlm-eval share), and folders that are not models — what chainlm-train writes
 * for a run (train/src/loop/run-store.ts, train/src/checkpoint/checkpoint.ts), a
 * PEFT adapter — are refused with the command that makes a model of them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePeftAdapter, writeSafetensors, type Model } from '@chainlm/model';
import type { RequestFinishEvent } from '../engine/events.js';
import type { ServingEngine } from '../serving-engine.js';
import { saveQuantized } from '../quant/quantized-io.js';
import { quantizeModel } from '../quant/quantize-model.js';
import { writeTinyFolder } from '../testing/tiny-folder.js';
import { loadEngine } from './load-engine.js';

const home = mkdtempSync(join(tmpdir(), 'chainlm-load-engine-'));
let dir: string;
let model: Model;
const engine = { maxSeqs: 2, cacheGiB: 0.005 };

beforeAll(async () => {
  ({ dir, model } = await writeTinyFolder());
}, 60_000);
afterAll(() => model.dispose());

function greedy(served: ServingEngine, promptTokenIds = [0, 5, 9, 17]): Promise<number[]> {
  return new Promise((resolve) => {
    served.addRequest({ promptTokenIds, sampling: { temperature: 0, maxTokens: 4, ignoreEos: true } }, (event) => {
      if (event.type === 'request-finish') resolve((event as RequestFinishEvent).outputs[0].tokenIds);
    });
  });
}

/** What chainlm-train leaves in CHAINLM_HOME for run "sft": runs/sft/ and checkpoints/sft/step-4/. */
async function writeTrainingRun(run: string): Promise<{ runDir: string; checkpoints: string; step: string }> {
  const runDir = join(home, 'runs', run);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'config.json'), JSON.stringify({ method: 'lora', model: { path: dir }, steps: 4 }));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ run, status: 'finished', method: 'lora' }));
  writeFileSync(join(runDir, 'metrics.jsonl'), '{"step":1,"loss":5.5}\n');
  const checkpoints = join(home, 'checkpoints', run);
  const step = join(checkpoints, 'step-4');
  mkdirSync(step, { recursive: true });
  const tensor = { shape: [2, 2], dtype: 'F32' as const, data: new Float32Array(4) };
  await writeSafetensors(join(step, 'trainable.safetensors'), new Map([['model.layers.0.self_attn.q_proj.lora_a', tensor]]));
  await writeSafetensors(join(step, 'optimizer.safetensors'), new Map([['model.layers.0.self_attn.q_proj.lora_a.exp_avg', tensor]]));
  writeFileSync(join(step, 'state.json'), JSON.stringify({ step: 4, optimizerStep: 4 }));
  return { runDir, checkpoints, step };
}

describe('loadEngine', () => {
  it('runs an HF folder with its tokenizer and chat template, and a saveQuantized folder', async () => {
    const loaded = await loadEngine(dir, { engine });
    expect(loaded).toMatchObject({ dir, replicas: 1, config: model.config });
    expect(loaded.tokenizer).toBeDefined();
    expect(loaded.chatTemplate).toBeDefined();
    expect(loaded.quantization).toBeUndefined();
    expect(await greedy(loaded.engine)).toHaveLength(4);
    await loaded.engine.close();

    const quantizedDir = join(home, 'quantized');
    await saveQuantized(quantizedDir, quantizeModel(model, { bits: 8, groupSize: 32 }));
    const quantized = await loadEngine(quantizedDir, { engine });
    expect(quantized.quantization).toMatchObject({ scheme: 'w8a16', groupSize: 32, awq: false });
    await expect(loadEngine(quantizedDir, { quant: { scheme: 'w4a16' } })).rejects.toThrow(/already quantized/);
    await expect(loadEngine(quantizedDir, { adapter: dir })).rejects.toMatchObject({ code: 'engine-adapter-invalid' });
    await quantized.engine.close();
  });

  it('says a training checkpoint is one, and gives the chainlm-train export command', async () => {
    const { runDir, checkpoints, step } = await writeTrainingRun('sft');
    const export_ = 'chainlm-train export sft --out DIR';
    for (const [folder, what] of [[step, /is a training checkpoint \(step-4 of run "sft"/], [checkpoints, /is the checkpoints folder of training run "sft"/], [runDir, /is the folder of training run "sft"/]] as const) {
      const error = await loadEngine(folder).then(() => undefined, (caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'engine-model-folder', message: expect.stringMatching(what), hint: expect.stringContaining(export_) });
      expect((error as Error).message).not.toMatch(/config\.json not found/);
    }
  });

  it('refuses a PEFT adapter folder and a missing folder, naming what to give instead', async () => {
    const adapterDir = join(home, 'adapter');
    await writePeftAdapter(adapterDir, { rank: 1, alpha: 1, dropout: 0, targetModules: ['q_proj'], modules: new Map([['model.layers.0.self_attn.q_proj', { a: new Float32Array(64), b: new Float32Array(64), rank: 1, inFeatures: 64, outFeatures: 64 }]]) });
    await expect(loadEngine(adapterDir)).rejects.toMatchObject({ code: 'engine-model-folder', message: expect.stringContaining('is a PEFT LoRA adapter folder'), hint: expect.stringContaining('--adapters') });
    await expect(loadEngine(join(home, 'nothing-here'))).rejects.toMatchObject({ code: 'engine-model-folder', message: expect.stringContaining('model folder not found') });
    await expect(loadEngine(dir, { replicas: 0 })).rejects.toThrow(/replicas must be a positive integer/);
  });
});
