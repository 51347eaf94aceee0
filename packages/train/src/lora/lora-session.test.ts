/**
 * LoRA end to end on real (tiny) checkpoints: pretrain a base briefly and export it
 * as an HF folder; LoRA-SFT it on the project's instruction set (held-out loss must
 * improve; run, checkpoint and adapter recorded with lineage); export the PEFT
 * adapter and the merged model, load both back and get the in-memory logits; QLoRA
 * reports the memory its quantized base saves.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry, resolveHome } from '@chainlm/core';
import { classifierMatrix, createModel, forward, linear, loadHfFolder, mergeLoraAdapter, parseHfConfig, readPeftAdapter } from '@chainlm/model';
import { initBackend, tf } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDifference, storyTexts } from '../__tests__/fixtures.js';
import { readCheckpointWeights } from '../checkpoint/checkpoint.js';
import { parseTrainConfig } from '../config/load.js';
import { decoderHidden } from '../forward/decoder.js';
import { readRunSpec } from '../loop/model-spec.js';
import { buildReplica } from '../loop/replica.js';
import { RunStore } from '../loop/run-store.js';
import { startRun, type RunSummary } from '../loop/session.js';
import { exportRun, mergeFolders } from './export.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-train-lora-e2e-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
const shape = { hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 2, numKvHeads: 1 };
let lora: RunSummary;

beforeAll(async () => {
  await initBackend();
  const { generateInstructions } = await import('@chainlm/datasets');
  const stories = join(root, 'stories.txt');
  writeFileSync(stories, [...(await storyTexts(150, 2)), ...generateInstructions({ seed: 3, arithmetic: 100, toolUse: 0, storyQa: 0 }).map((example: { messages: { content: string }[] }) => example.messages.map((message) => message.content).join('\n'))].join('\n\n'));
  const base = await startRun(parseTrainConfig({ name: 'base', preset: 'tiny', model: { shape }, data: { dataset: stories, seqLen: 32, tokenizerVocabSize: 300 }, maxSteps: 20, evalInterval: 20, evalBatches: 1 }), { home, run: 'base' });
  await exportRun(base.run, { out: join(root, 'base-hf'), home });
  const train = generateInstructions({ seed: 1, arithmetic: 300, toolUse: 0, storyQa: 0 }).filter((example: { split: string }) => example.split === 'train');
  const instructions = join(root, 'arithmetic.jsonl');
  writeFileSync(instructions, train.map((example: { messages: unknown }) => JSON.stringify({ messages: example.messages })).join('\n'));
  lora = await startRun(
    parseTrainConfig({
      name: 'sft', method: 'lora', model: { path: join(root, 'base-hf') }, data: { dataset: instructions, seqLen: 32, valFraction: 0.1 },
      lora: { rank: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
      optimizer: { lr: 1e-2, weightDecay: 0 }, batchSize: 8, maxSteps: 40, evalInterval: 20, evalBatches: 2, checkpointInterval: 20,
    }),
    { home, run: 'sft' },
  );
});

describe('LoRA SFT', () => {
  it('improves the held-out loss and records run, checkpoint and adapter with lineage', async () => {
    expect(lora.steps).toBe(40);
    expect(lora.finalValLoss).toBeLessThan(lora.initialValLoss - 0.2);
    expect(lora.parameters).toBeLessThan(20_000); // only the adapters train
    const registry = openRegistry({ file: home.registryFile });
    const lineage = await registry.lineage('adapter:sft');
    expect(lineage?.up.map(({ artifact }) => artifact.id)).toEqual(expect.arrayContaining(['run:sft', 'dataset:arithmetic', 'model:base-hf']));
    const run = await registry.lineage('run:sft');
    expect(run?.down.map(({ artifact }) => artifact.id)).toEqual(expect.arrayContaining(['checkpoint:sft/step-40', 'adapter:sft']));
  });

  it('exports a PEFT adapter and a merged model that give the in-memory logits', async () => {
    const spec = readRunSpec(new RunStore('sft', home).dir);
    const replica = await buildReplica(spec);
    const trained = await readCheckpointWeights(lora.checkpoint);
    replica.layout.slots.forEach((slot, index) => replica.variables[index].assign(tf.tensor(trained.get(slot.name)!.data, slot.shape)));
    const ids = tf.tensor2d(Int32Array.from({ length: 2 * 16 }, (_, index) => (index * 37) % replica.model.config.vocabSize), [2, 16], 'int32');
    const inMemory = tf.tidy(() => linear(decoderHidden(replica.model, replica.hooks, ids), classifierMatrix(replica.model, true))).dataSync();

    await exportRun('sft', { out: join(root, 'peft'), home });
    const adapter = await readPeftAdapter(join(root, 'peft'));
    expect(adapter.modules.size).toBe(2 * 6);
    const base = await loadHfFolder(join(root, 'base-hf'));
    const viaPeft = createModel(parseHfConfig(base.configJson), mergeLoraAdapter(base.weights, adapter));
    expect(maxAbsDifference(forward(viaPeft, ids).dataSync(), inMemory)).toBeLessThan(1e-4);

    await exportRun('sft', { out: join(root, 'merged'), merged: true, home });
    const merged = await loadHfFolder(join(root, 'merged'));
    // `merge` of the exported PEFT folder into the base folder gives the same weights.
    await mergeFolders({ base: join(root, 'base-hf'), adapter: join(root, 'peft'), out: join(root, 'merged-cli') });
    const mergedAgain = await loadHfFolder(join(root, 'merged-cli'));
    for (const [name, tensor] of merged.weights) expect(Array.from(mergedAgain.weights.get(name)!.data), name).toEqual(Array.from(tensor.data));
    const mergedModel = createModel(parseHfConfig(merged.configJson), merged.weights);
    expect(maxAbsDifference(forward(mergedModel, ids).dataSync(), inMemory)).toBeLessThan(1e-4);
    expect(merged.tokenizerFiles.length).toBeGreaterThan(0);
    replica.dispose();
  });

  it('QLoRA trains over a 4-bit base and reports the memory saved', async () => {
    const qlora = await startRun(
      parseTrainConfig({
        name: 'qlora', method: 'qlora', model: { path: join(root, 'base-hf') }, data: { dataset: join(root, 'arithmetic.jsonl'), seqLen: 32 },
        lora: { rank: 4, alpha: 8, targetModules: ['q_proj', 'v_proj'], quantBits: 4, groupSize: 16 }, optimizer: { lr: 1e-2 }, maxSteps: 10, evalInterval: 10, evalBatches: 1,
      }),
      { home, run: 'qlora' },
    );
    expect(qlora.memory!.baseStoredBytes / qlora.memory!.baseFp32Bytes).toBeCloseTo((0.5 + 4 / 16) / 4, 5);
    expect(qlora.finalValLoss).toBeLessThan(qlora.initialValLoss);
  });
});
