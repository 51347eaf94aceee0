/**
 * Test fixture: a real tiny chat model, trained in a few seconds to answer a handful
 * of prompts with fixed replies (plain text and a `<tool_call>` block), saved as an HF
 * folder with its own BPE tokenizer.json and a ChatML template. Tests then talk to it
 * through the real engine and server, and can assert exact replies — no fake model.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@chainlm/runtime';
import {
  builtinChatTemplates,
  createModel,
  type ChatMessage,
  forward,
  loadChatTemplate,
  presetConfig,
  saveHfFolder,
  saveTokenizerJson,
  toHfConfig,
  trainBpeTokenizer,
} from '@chainlm/model';

export interface ScriptedTurn {
  /** The conversation so far; `user` is shorthand for one user message. */
  messages?: ChatMessage[];
  user?: string;
  /** Tools the request offers (rendered into the prompt by the chat template, as the server does). */
  tools?: unknown[];
  reply: string;
}

function conversation(turn: ScriptedTurn): ChatMessage[] {
  return turn.messages ?? [{ role: 'user', content: turn.user ?? '' }];
}

export const defaultTurns: ScriptedTurn[] = [
  { user: 'Say hello.', reply: 'Hello! I am a tiny model.' },
  { user: 'What is 2 + 2?', tools: [{ type: 'function', function: { name: 'calculator' } }], reply: '<tool_call>\n{"name": "calculator", "arguments": {"expression": "2 + 2"}}\n</tool_call>' },
  { user: 'Give me JSON.', reply: '{"answer": 42, "ok": true}' },
];

const specialTokens = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

export async function makeTinyChatModel(turns: ScriptedTurn[] = defaultTurns, options: { steps?: number } = {}): Promise<string> {
  await initBackend();
  const work = mkdtempSync(join(tmpdir(), 'chainlm-tiny-chat-'));
  const corpus = turns.flatMap((turn) => [...conversation(turn).map((message) => `${message.role}\n${message.content ?? ''}`), turn.reply, 'assistant\n']);
  const { tokenizer, tokenizerJson } = await trainBpeTokenizer(corpus, { vocabSize: 300, specialTokens });
  const tokenizerDir = join(work, 'tokenizer');
  await saveTokenizerJson(tokenizerJson, tokenizerDir);
  const configFile = join(tokenizerDir, 'tokenizer_config.json');
  const tokenizerConfig = JSON.parse(readFileSync(configFile, 'utf8'));
  writeFileSync(configFile, JSON.stringify({ ...tokenizerConfig, chat_template: builtinChatTemplates.chatml, eos_token: '<|im_end|>' }));
  const template = loadChatTemplate(tokenizerDir, tokenizer);
  const imEnd = tokenizer.tokenToId('<|im_end|>')!;

  const config = presetConfig('tiny', {
    vocabSize: tokenizer.vocabSize,
    hiddenSize: 64,
    intermediateSize: 128,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    maxPositionEmbeddings: 512,
    eosTokenId: imEnd,
    bosTokenId: null,
  });
  const model = createModel(config, undefined, { seed: 7 });
  const examples = turns.map((turn) => {
    const prompt = tokenizer.encode(template.render(conversation(turn), { addGenerationPrompt: true, ...(turn.tools ? { tools: turn.tools } : {}) }), { addSpecialTokens: false });
    const reply = [...tokenizer.encode(turn.reply, { addSpecialTokens: false }), imEnd];
    return { ids: [...prompt, ...reply], replyStart: prompt.length };
  });
  const length = Math.max(...examples.map((example) => example.ids.length));
  // Inputs/targets padded to one length; the loss counts reply tokens only.
  const inputs = examples.map((example) => [...example.ids.slice(0, -1), ...Array(length - example.ids.length).fill(imEnd)]);
  const targets = examples.map((example) => [...example.ids.slice(1), ...Array(length - example.ids.length).fill(imEnd)]);
  const weights = examples.map((example) => Array.from({ length: length - 1 }, (_, index) => (index + 1 >= example.replyStart && index + 1 < example.ids.length ? 1 : 0)));
  const inputTensor = tf.tensor2d(inputs, undefined, 'int32');
  const targetTensor = tf.oneHot(tf.tensor2d(targets, undefined, 'int32'), config.vocabSize);
  const weightTensor = tf.tensor2d(weights);
  const optimizer = tf.train.adam(1e-2);
  const variables = model.parameters().map((parameter) => parameter.variable);
  for (let step = 0; step < (options.steps ?? 300); step++) {
    const loss = optimizer.minimize(() => {
      const logits = forward(model, inputTensor as tf.Tensor2D);
      const perToken = tf.neg(tf.sum(tf.mul(targetTensor, tf.logSoftmax(logits)), -1));
      return tf.div(tf.sum(tf.mul(perToken, weightTensor)), tf.sum(weightTensor)) as tf.Scalar;
    }, true, variables);
    const value = loss!.dataSync()[0];
    loss!.dispose();
    if (value < 0.01) break;
  }
  tf.dispose([inputTensor, targetTensor, weightTensor]);
  optimizer.dispose();

  const dir = join(work, 'tiny-chat');
  await saveHfFolder(dir, {
    configJson: toHfConfig(config),
    weights: model.toWeightMap(),
    tokenizerFiles: [join(tokenizerDir, 'tokenizer.json'), configFile],
  });
  model.dispose();
  return dir;
}
