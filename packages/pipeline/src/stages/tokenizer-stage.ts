/** `uses: tokenizer` — trains a byte-level BPE tokenizer on datasets' text. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset, readRecords, recordText, type RecordKind } from '@chainlm/data';
import { builtinChatTemplates, saveTokenizerJson, trainBpeTokenizer } from '@chainlm/model';
import { z } from 'zod';
import type { StageKind } from '../stage-kind.js';
import { stageParams } from './params.js';

const schema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
  datasets: z.array(z.string()).min(1),
  vocabSize: z.number().int().min(260).max(65_536),
  specialTokens: z.array(z.string()).default(['<|endoftext|>', '<|im_start|>', '<|im_end|>']),
  /** End-of-sequence token for generation (chat models stop at <|im_end|>). */
  eosToken: z.string().default('<|im_end|>'),
  chatTemplate: z.enum(['chatml', 'internlm2', 'llama3']).default('chatml'),
  /** Digits one by one (LLaMA/Qwen style), so arithmetic is learned per digit. */
  splitDigits: z.boolean().default(false),
});

export const tokenizerStage: StageKind = {
  name: 'tokenizer',
  description: 'train a byte-level BPE tokenizer (tokenizer.json + chat template) on datasets',
  // 2: chatml renders tools and tool calls; splitDigits.
  version: 2,
  code: ['@chainlm/data', '@chainlm/model'],
  async run(params, context) {
    const options = stageParams(schema, params, 'tokenizer');
    const datasets = options.datasets;
    async function* lines(): AsyncGenerator<string> {
      for (const name of datasets) {
        const kind = (await readDataset(context.home, name)).kind as RecordKind;
        for await (const batch of readRecords(context.home, name)) for (const record of batch) yield recordText(kind, record);
      }
    }
    const { tokenizer, tokenizerJson, mergeCount } = await trainBpeTokenizer(lines(), { vocabSize: options.vocabSize, specialTokens: options.specialTokens, splitDigits: options.splitDigits });
    const dir = context.home.path('tokenizers', options.name);
    await saveTokenizerJson(tokenizerJson, dir);
    const configFile = join(dir, 'tokenizer_config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(configFile, `${JSON.stringify({ ...config, eos_token: options.eosToken, chat_template: builtinChatTemplates[options.chatTemplate] }, null, 2)}\n`);
    const artifact = await context.registry.record({
      kind: 'tokenizer',
      name: options.name,
      path: dir,
      metadata: { vocabSize: tokenizer.vocabSize, merges: mergeCount, eosToken: options.eosToken, splitDigits: options.splitDigits },
      inputs: datasets.map((name) => ({ id: `dataset:${name}`, relation: 'trained-on' })),
    });
    return {
      outputs: { path: dir, vocabSize: tokenizer.vocabSize, eosId: tokenizer.tokenToId(options.eosToken) ?? null },
      artifacts: [artifact.id],
      summary: { vocabSize: tokenizer.vocabSize, merges: mergeCount },
    };
  },
  stillValid: (outputs) => existsSync(join(String(outputs.path), 'tokenizer.json')),
};
