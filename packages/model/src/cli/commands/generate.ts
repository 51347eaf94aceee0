import { defineCommand, UsageError } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import { loadHfFolder } from '../../io/hf-folder.js';
import { parseHfConfig } from '../../config/index.js';
import { createModel } from '../../model/index.js';
import { generate } from '../../generate/index.js';
import { loadTokenizer } from '../../tokenizer/load-tokenizer.js';

/** What --json prints: the generated ids only (no prompt), and their text (null without a tokenizer). */
export interface GenerateCliResult {
  ids: number[];
  text: string | null;
}

export function parsePromptIds(values: string[]): number[] {
  return values.map((value) => {
    const id = Number(value.trim());
    if (!Number.isInteger(id) || id < 0 || value.trim() === '') throw new UsageError(`generate: --prompt-ids must be comma-separated non-negative integers, got "${value}"`, 'e.g. --prompt-ids 1,15043');
    return id;
  });
}

export const generateCommand = defineCommand({
  name: 'generate',
  summary: 'generate tokens from an HF model folder',
  description: 'Give the prompt as text (--prompt, needs a tokenizer in the folder) or as ids (--prompt-ids). --temperature 0 is greedy. Generation stops at the EOS id of config.json or after --max-new-tokens.',
  positionals: [{ name: 'path', description: 'HF model folder', required: true }],
  options: {
    prompt: { type: 'string', description: 'prompt text (encoded with the folder tokenizer, BOS added)', valueName: 'TEXT' },
    promptIds: { type: 'list', description: 'prompt token ids, comma-separated', valueName: 'IDS' },
    maxNewTokens: { type: 'number', description: 'most tokens to generate', valueName: 'N', default: 64 },
    temperature: { type: 'number', description: 'sampling temperature; 0 = greedy', valueName: 'T', default: 1 },
    seed: { type: 'number', description: 'sampling seed (same seed → same output)', valueName: 'S' },
    topK: { type: 'number', description: 'keep the K most likely tokens', valueName: 'K' },
    topP: { type: 'number', description: 'nucleus sampling mass', valueName: 'P' },
    repetitionPenalty: { type: 'number', description: '> 1 discourages repeats', valueName: 'R' },
  },
  examples: ['chainlm-model generate models/stories260K --prompt-ids 1 --temperature 0 --max-new-tokens 20 --json', 'chainlm-model generate models/llama --prompt "Once upon a time" --temperature 0.8 --top-p 0.9 --seed 7'],
  async run({ positionals, options }) {
    if ((options.prompt === undefined) === (options.promptIds === undefined)) throw new UsageError('generate: give exactly one of --prompt TEXT or --prompt-ids IDS');
    const folder = await loadHfFolder(positionals[0]);
    const tokenizer = folder.tokenizerPath ? await loadTokenizer(folder.tokenizerPath) : undefined;
    let promptIds: number[];
    if (options.prompt !== undefined) {
      if (!tokenizer) throw new UsageError(`generate: ${folder.dir} has no tokenizer, so --prompt cannot be encoded`, 'pass --prompt-ids, or add tokenizer.json / tokenizer.model to the folder');
      promptIds = tokenizer.encode(options.prompt);
    } else {
      promptIds = parsePromptIds(options.promptIds ?? []);
    }
    const config = parseHfConfig(folder.configJson, `${folder.dir}/config.json`);
    await initBackend();
    const model = createModel(config, folder.weights);
    try {
      const result = await generate(model, promptIds, {
        maxNewTokens: options.maxNewTokens,
        temperature: options.temperature,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.topK !== undefined ? { topK: options.topK } : {}),
        ...(options.topP !== undefined ? { topP: options.topP } : {}),
        ...(options.repetitionPenalty !== undefined ? { repetitionPenalty: options.repetitionPenalty } : {}),
        ...(tokenizer ? { tokenizer } : {}),
      });
      return { ids: result.ids, text: result.text } satisfies GenerateCliResult;
    } finally {
      model.dispose();
    }
  },
  render(result, print) {
    const { ids, text } = result as GenerateCliResult;
    print(text ?? ids.join(' '));
  },
});
