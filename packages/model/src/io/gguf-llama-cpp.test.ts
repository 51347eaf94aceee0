/**
 * The GGUF export checked by llama.cpp itself (node-llama-cpp 3.21.1, its prebuilt CPU
 * binaries): a tiny chainlm model with its own byte-level BPE tokenizer.json — one with
 * digits split one by one (as the demo's), one plain GPT-2 — is exported f32, q8_0 and
 * q4_0, loaded, and compared with chainlm: llama.cpp's tokenizer must give chainlm's ids
 * on digits, spaces, punctuation, unicode and special tokens, and greedy decoding must
 * give chainlm's ids (f32 exactly; q8_0/q4_0 are printed as agreement with f32). GPT-2's
 * own tokenizer.json (../shared), exported, must give llama.cpp's 46 gpt-2 test vectors.
 * Without node-llama-cpp the file prints why and skips, except in CI where it fails.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { parseHfConfig, presetConfig, toHfConfig } from '../config/index.js';
import { createModel } from '../model/index.js';
import { generate } from '../generate/index.js';
import { loadTokenizer, readVocabTestVectors, saveTokenizerJson, trainBpeTokenizer } from '../tokenizer/index.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { exportGguf, type GgufExportType } from './gguf-export.js';
import { loadHfFolder, saveHfFolder } from './hf-folder.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');
type Llama = Awaited<ReturnType<NodeLlamaCpp['getLlama']>>;

/** node-llama-cpp with its prebuilt CPU binaries, offline (no build, no download), or why not. */
async function probeLlama(): Promise<{ llama: Llama } | { reason: string }> {
  try {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true, logLevel: LlamaLogLevel.error, maxThreads: 1 });
    return { llama };
  } catch (error) {
    return { reason: `node-llama-cpp cannot load its prebuilt llama.cpp binaries here: ${(error as Error).message.split('\n')[0]}` };
  }
}

const probe = await probeLlama();
const skip = skipUnlessPresent('llama' in probe, 'reason' in probe ? `${probe.reason} (npm ci installs node-llama-cpp 3.21.1 with packages/model's devDependencies)` : '');

const corpus = [
  'Once upon a time there was a little cat who liked to count: 1, 2, 3, 10, 42 and 2024.',
  'The cat sat on the mat and looked at the sun. "Hello!" said the dog; it\'s a nice day, isn\'t it?',
  'A dog ran to the park — and the cat ran home.   Then they slept.\n\nThe end.',
  'Café, naïve, 你好世界, こんにちは, 🙂🙂, ½ and ² are unicode; tabs\tand newlines\n too.',
  '<|user|>What is 12 + 30?<|end|><|assistant|>12 + 30 = 42.<|end|>',
];
const specialTokens = ['<|endoftext|>', '<|user|>', '<|assistant|>', '<|end|>'];
const chatTemplate = "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

const probes = [
  'Hello world',
  'The cat sat on the mat.',
  'In 2024, 12345 cats ate 3.14 pies (x10).',
  '  leading, and   multiple spaces  ',
  'tabs\tand\nnewlines\n\n\nend\n',
  'Wait... what?! "quoted" — it\'s we\'ll they\'re I\'m you\'ve he\'d',
  'Café naïve 你好世界 🙂 ½ ² ٣ Ⅻ',
  '<|user|>What is 7 + 35?<|end|><|assistant|>',
  'no <|end special|> here but <|endoftext|> there',
  '',
];

const root = mkdtempSync(join(tmpdir(), 'chainlm-gguf-llama-cpp-'));
afterAll(async () => {
  if ('llama' in probe) await probe.llama.dispose();
  rmSync(root, { recursive: true, force: true });
});

interface Fixture {
  dir: string;
  tokenizer: Tokenizer;
}

/**
 * A tiny random model with its own BPE. Untied, embeddings ×4: with the init as it is,
 * greedy decoding of a random model repeats one or two tokens, which would prove little.
 */
async function writeFixture(name: string, splitDigits: boolean): Promise<Fixture> {
  const { tokenizerJson } = await trainBpeTokenizer(corpus, { vocabSize: 420, specialTokens, minFrequency: 1, splitDigits });
  const tokenizerDir = join(root, `${name}-tokenizer`);
  await saveTokenizerJson(tokenizerJson, tokenizerDir);
  const configFile = join(tokenizerDir, 'tokenizer_config.json');
  writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), chat_template: chatTemplate }));
  const tokenizer = await loadTokenizer(join(tokenizerDir, 'tokenizer.json'));
  // 3 rows past the tokenizer: the GGUF pads them as unused tokens.
  const config = presetConfig('tiny', { vocabSize: tokenizer.vocabSize + 3, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, bosTokenId: 0, eosTokenId: 0, tieWordEmbeddings: false });
  const model = createModel(config, undefined, { seed: 7 });
  const weights = model.toWeightMap();
  model.dispose();
  const embedding = weights.get('model.embed_tokens.weight')!;
  weights.set('model.embed_tokens.weight', { ...embedding, data: embedding.data.map((value) => value * 4) });
  const dir = join(root, name);
  await saveHfFolder(dir, { configJson: toHfConfig(config), weights, tokenizerFiles: [join(tokenizerDir, 'tokenizer.json'), configFile] });
  return { dir, tokenizer };
}

async function chainlmGreedy(dir: string, promptIds: number[], steps: number): Promise<number[]> {
  const folder = await loadHfFolder(dir);
  const model = createModel(parseHfConfig(folder.configJson), folder.weights);
  try {
    return (await generate(model, promptIds, { maxNewTokens: steps, temperature: 0, stopIds: [] })).ids;
  } finally {
    model.dispose();
  }
}

async function llamaGreedy(llama: Llama, file: string, promptIds: number[], steps: number): Promise<number[]> {
  const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  try {
    const context = await model.createContext({ contextSize: 128, batchSize: 128, threads: 1 });
    const ids: number[] = [];
    for await (const token of context.getSequence().evaluate(promptIds as never[], { temperature: 0, yieldEogToken: true })) {
      ids.push(token as unknown as number);
      if (ids.length === steps) break;
    }
    await context.dispose();
    return ids;
  } finally {
    await model.dispose();
  }
}

const agreement = (a: number[], b: number[]) => {
  let same = 0;
  while (same < Math.min(a.length, b.length) && a[same] === b[same]) same++;
  return same;
};

describe.skipIf(skip)('GGUF export loaded by llama.cpp (node-llama-cpp 3.21.1)', () => {
  const llama = () => (probe as { llama: Llama }).llama;
  const fixtures: Record<string, Fixture> = {};
  beforeAll(async () => {
    fixtures.digits = await writeFixture('digits', true);
    fixtures.plain = await writeFixture('plain', false);
  }, 60_000);

  it('the probes exercise both splits: the plain tokenizer learned multi-digit tokens, the digits one did not', () => {
    expect(fixtures.plain.tokenizer.encode('2024').length).toBeLessThan(4);
    expect(fixtures.digits.tokenizer.encode('2024')).toHaveLength(4);
  });

  for (const [name, pre] of [['digits', 'smollm'], ['plain', 'granite-docling']] as const) {
    it(`${name}: tokenizer ids equal chainlm's, special tokens and chat template embedded (pre "${pre}")`, async () => {
      const { dir, tokenizer } = fixtures[name];
      const file = join(root, `${name}-f32.gguf`);
      const result = await exportGguf(dir, file, 'f32');
      expect(result).toMatchObject({ tokenizer: 'gpt2', warnings: [] });
      const model = await llama().loadModel({ modelPath: file, gpuLayers: 0, vocabOnly: true });
      try {
        const metadata = model.fileInfo.metadata as unknown as { tokenizer: { ggml: Record<string, unknown>; chat_template?: string } };
        expect(metadata.tokenizer.ggml.pre).toBe(pre);
        expect(metadata.tokenizer.chat_template).toBe(chatTemplate);
        expect(model.tokens.eos).toBe(tokenizer.eosId);
        for (const text of probes) {
          const ours = tokenizer.encode(text, { addSpecialTokens: false });
          expect(Array.from(model.tokenize(text, true) as unknown as number[]), JSON.stringify(text)).toEqual(ours);
          expect(model.detokenize(ours as never[], true), JSON.stringify(text)).toBe(tokenizer.decode(ours));
        }
        // Padding rows past the tokenizer exist in the vocabulary but never come out of the tokenizer.
        expect(model.fileInfo.metadata.tokenizer.ggml.tokens.length).toBe(tokenizer.vocabSize + 3);
      } finally {
        await model.dispose();
      }
    }, 60_000);
  }

  const models = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared/models');
  const vectors = join(models, 'llama.cpp-vocab/ggml-vocab-gpt-2.gguf');
  it.skipIf(skipUnlessPresent([join(models, 'gpt2-tokenizer'), vectors], 'the GPT-2 check reads ../shared/models (check ../shared out beside the repo)'))('GPT-2 tokenizer.json exported: llama.cpp gives its own 46 test vectors and chainlm ids', async () => {
    const dir = join(root, 'gpt2');
    // A whole (random, one-layer) model: llama.cpp loads every tensor even for a vocab-only look.
    const config = presetConfig('tiny', { vocabSize: 50257, hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 2, bosTokenId: 50256, eosTokenId: 50256 });
    const random = createModel(config, undefined, { seed: 1 });
    const weights = random.toWeightMap();
    random.dispose();
    const configJson = toHfConfig(config);
    await saveHfFolder(dir, { configJson, weights, tokenizerFiles: [join(models, 'gpt2-tokenizer/tokenizer.json'), join(models, 'gpt2-tokenizer/tokenizer_config.json')] });
    const file = join(root, 'gpt2.gguf');
    await exportGguf(dir, file, 'f16');
    const tokenizer = await loadTokenizer(dir);
    const model = await llama().loadModel({ modelPath: file, vocabOnly: true });
    try {
      const cases = await readVocabTestVectors(`${vectors}.inp`, `${vectors}.out`);
      expect(cases).toHaveLength(46);
      for (const { text, ids } of cases) {
        const theirs = Array.from(model.tokenize(text, false) as unknown as number[]);
        expect(theirs, JSON.stringify(text)).toEqual(ids);
        expect(tokenizer.encode(text, { addSpecialTokens: false }), JSON.stringify(text)).toEqual(ids);
      }
    } finally {
      await model.dispose();
    }
  }, 60_000);

  it('digits: greedy ids of llama.cpp on the f32 export equal chainlm generate; q8_0 and q4_0 reported', async () => {
    const { dir, tokenizer } = fixtures.digits;
    const promptIds = tokenizer.encode('<|user|>Once upon a time, 12 cats');
    const steps = 24;
    const ours = await chainlmGreedy(dir, promptIds, steps);
    const report: string[] = [];
    for (const type of ['f32', 'q8_0', 'q4_0'] as GgufExportType[]) {
      const file = join(root, `digits-${type}.gguf`);
      await exportGguf(dir, file, type);
      const theirs = await llamaGreedy(llama(), file, promptIds, steps);
      expect(theirs).toHaveLength(steps);
      report.push(`${type}: ${agreement(theirs, ours)}/${steps} leading greedy ids equal chainlm's f32`);
      if (type === 'f32') expect(theirs).toEqual(ours);
    }
    console.log(`llama.cpp greedy vs chainlm: ${report.join('; ')}; chainlm's ids ${ours.join(',')}`);
    expect(new Set(ours).size, 'a greedy run that repeats one token would prove little').toBeGreaterThan(4);
  }, 120_000);
});
