import { defineCommand } from '@chainlm/core';
import { loadTokenizer } from '../../tokenizer/load-tokenizer.js';

export interface TokenizeResult {
  ids: number[];
  tokens: string[];
  count: number;
}

export const tokenizeCommand = defineCommand({
  name: 'tokenize',
  summary: 'encode TEXT with a tokenizer and show ids and pieces',
  description: 'The tokenizer is a tokenizer.json, a SentencePiece .model, a llama2.c tokenizer.bin, or a model folder holding one.',
  positionals: [{ name: 'text', description: 'text to encode', required: true }],
  options: {
    tokenizer: { type: 'string', description: 'tokenizer file or model folder', valueName: 'PATH', required: true },
    noSpecial: { type: 'boolean', description: "do not add the tokenizer's special tokens (e.g. BOS)" },
  },
  examples: ['chainlm-model tokenize --tokenizer tokenizer.model "Hello world" --json'],
  async run({ positionals, options }) {
    const tokenizer = await loadTokenizer(options.tokenizer);
    const ids = tokenizer.encode(positionals[0], { addSpecialTokens: !options.noSpecial });
    return { ids, tokens: ids.map((id) => tokenizer.idToToken(id) ?? `<${id}>`), count: ids.length } satisfies TokenizeResult;
  },
  render(result, print) {
    const { ids, tokens, count } = result as TokenizeResult;
    print(`${count} tokens`);
    print(`ids     ${ids.join(' ')}`);
    print(`tokens  ${tokens.map((token) => JSON.stringify(token)).join(' ')}`);
  },
});
