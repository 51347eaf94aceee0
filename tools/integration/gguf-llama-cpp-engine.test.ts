/**
 * chainlm-model export-gguf against chainlm's own engine, through llama.cpp
 * (node-llama-cpp 3.21.1, a devDependency of @chainlm/model): a tiny model with a
 * digit-splitting byte-level BPE (the demo's tokenizer shape) and a chat template is
 * served by loadEngine and exported to GGUF; llama.cpp must give the engine's greedy
 * ids and text for f32, and the agreement of q8_0 / q4_0 with the engine's float and
 * W8A16 / W4A16 runs is printed. The exporter's own checks (tokenizer ids on digits,
 * spaces, unicode, special tokens; greedy vs the model's generate) are in
 * packages/model/src/io/gguf-llama-cpp.test.ts. Without node-llama-cpp: skipped with
 * the reason outside CI, failed in CI.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { createModel, exportGguf, presetConfig, saveHfFolder, saveTokenizerJson, toHfConfig, trainBpeTokenizer, type GgufExportType } from '@chainlm/model';
import { loadEngine, type EngineEvent, type QuantOptions } from '@chainlm/engine';

type Llama = Awaited<ReturnType<(typeof import('node-llama-cpp'))['getLlama']>>;

async function probeLlama(): Promise<{ llama: Llama } | { reason: string }> {
  try {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    return { llama: await getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true, logLevel: LlamaLogLevel.error, maxThreads: 1 }) };
  } catch (error) {
    return { reason: `node-llama-cpp cannot load its prebuilt llama.cpp binaries here: ${(error as Error).message.split('\n')[0]}` };
  }
}

const probe = await probeLlama();
const skip = skipUnlessPresent('llama' in probe, 'reason' in probe ? `${probe.reason} (npm ci installs node-llama-cpp with @chainlm/model's devDependencies)` : '');

const corpus = [
  'Once upon a time there was a little cat who liked to count: 1, 2, 3, 10, 42 and 2024.',
  'The cat sat on the mat and looked at the sun. "Hello!" said the dog; it\'s a nice day.',
  '<|user|>What is 12 + 30?<|end|><|assistant|>12 + 30 = 42.<|end|>',
];
const chatTemplate = "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";
const prompts = ['Once upon a time, 12 cats', 'The dog said 3 + 4 = 7.', 'Café 你好 🙂'];
const steps = 16;

const root = mkdtempSync(join(tmpdir(), 'chainlm-gguf-engine-'));
afterAll(async () => {
  if ('llama' in probe) await probe.llama.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** Untied, embeddings ×4: a random model's greedy run then visits many tokens instead of repeating one. */
async function writeFolder(): Promise<string> {
  const { tokenizer, tokenizerJson } = await trainBpeTokenizer(corpus, { vocabSize: 400, specialTokens: ['<|endoftext|>', '<|user|>', '<|assistant|>', '<|end|>'], minFrequency: 1, splitDigits: true });
  const tokenizerDir = join(root, 'tokenizer');
  await saveTokenizerJson(tokenizerJson, tokenizerDir);
  const configFile = join(tokenizerDir, 'tokenizer_config.json');
  writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), chat_template: chatTemplate }));
  const config = presetConfig('tiny', { vocabSize: tokenizer.vocabSize, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, bosTokenId: 0, eosTokenId: 0, tieWordEmbeddings: false });
  const model = createModel(config, undefined, { seed: 7 });
  const weights = model.toWeightMap();
  model.dispose();
  const embedding = weights.get('model.embed_tokens.weight')!;
  weights.set('model.embed_tokens.weight', { ...embedding, data: embedding.data.map((value) => value * 4) });
  const dir = join(root, 'tiny-chat');
  await saveHfFolder(dir, { configJson: toHfConfig(config), weights, tokenizerFiles: [join(tokenizerDir, 'tokenizer.json'), configFile] });
  return dir;
}

interface Run {
  promptIds: number[];
  ids: number[];
  text: string;
}

async function engineGreedy(dir: string, quant?: QuantOptions): Promise<Run[]> {
  const loaded = await loadEngine(dir, { quant, engine: { cacheGiB: 0.01 } });
  try {
    const runs: Run[] = [];
    for (const prompt of prompts) {
      const promptIds = loaded.tokenizer!.encode(prompt);
      const finish = await new Promise<EngineEvent & { type: 'request-finish' }>((resolve) => {
        loaded.engine.addRequest({ promptTokenIds: promptIds, sampling: { temperature: 0, maxTokens: steps, ignoreEos: true } }, (event) => {
          if (event.type === 'request-finish') resolve(event);
        });
      });
      runs.push({ promptIds, ids: finish.outputs[0].tokenIds, text: finish.outputs[0].text });
    }
    return runs;
  } finally {
    await loaded.engine.close();
  }
}

async function llamaGreedy(llama: Llama, file: string, runs: Run[]): Promise<Run[]> {
  const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  try {
    const out: Run[] = [];
    for (const { promptIds } of runs) {
      const context = await model.createContext({ contextSize: 128, batchSize: 128, threads: 1 });
      const ids: number[] = [];
      for await (const token of context.getSequence().evaluate(promptIds as never[], { temperature: 0, yieldEogToken: true })) {
        ids.push(token as unknown as number);
        if (ids.length === steps) break;
      }
      await context.dispose();
      out.push({ promptIds, ids, text: model.detokenize(ids as never[], true) });
    }
    return out;
  } finally {
    await model.dispose();
  }
}

const leadingAgreement = (theirs: Run[], ours: Run[]) =>
  theirs.map((run, index) => {
    let same = 0;
    while (same < steps && run.ids[same] === ours[index].ids[same]) same++;
    return same;
  });

describe.skipIf(skip)('export-gguf → llama.cpp against the engine', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await writeFolder();
  }, 60_000);

  it('f32: llama.cpp greedy ids and text equal the engine; q8_0/q4_0 agreement printed', async () => {
    const llama = (probe as { llama: Llama }).llama;
    const float = await engineGreedy(dir);
    expect(float.flatMap((run) => run.ids).length).toBe(prompts.length * steps);
    expect(new Set(float.flatMap((run) => run.ids)).size, 'a greedy run that repeats one token would prove little').toBeGreaterThan(8);
    const lines: string[] = [];
    for (const type of ['f32', 'q8_0', 'q4_0'] as GgufExportType[]) {
      const file = join(root, `tiny-chat-${type}.gguf`);
      const result = await exportGguf(dir, file, type);
      expect(result.tokenizer).toBe('gpt2');
      const theirs = await llamaGreedy(llama, file, float);
      if (type === 'f32') {
        expect(theirs.map((run) => run.ids)).toEqual(float.map((run) => run.ids));
        expect(theirs.map((run) => run.text)).toEqual(float.map((run) => run.text));
      } else {
        const scheme = type === 'q8_0' ? 'w8a16' : 'w4a16';
        const quantized = await engineGreedy(dir, { scheme, groupSize: 32 });
        lines.push(`${type}: leading ids equal to the engine float ${leadingAgreement(theirs, float).join('/')}, to the engine ${scheme} g32 ${leadingAgreement(theirs, quantized).join('/')} (of ${steps}, per prompt)`);
      }
    }
    console.log(`llama.cpp vs chainlm engine greedy — f32: all equal; ${lines.join('; ')}`);
  }, 180_000);
});
