import { defineCommand } from '@chainlm/core';
import { importLlama2c, type ImportLlama2cResult } from '../../io/llama2c-import.js';

export const importLlama2cCommand = defineCommand({
  name: 'import-llama2c',
  summary: 'convert a llama2.c checkpoint (.bin, v0 or v1) to an HF Llama folder',
  description: "q/k rows are permuted from Meta's interleaved RoPE layout to HF's rotate_half layout. --tokenizer copies a llama2.c tokenizer.bin or a SentencePiece .model into the folder.",
  positionals: [{ name: 'file', description: 'llama2.c checkpoint (.bin)', required: true }],
  options: {
    out: { type: 'string', description: 'output HF folder (replaced if it is a model folder)', valueName: 'DIR', required: true },
    tokenizer: { type: 'string', description: 'tokenizer.bin or tokenizer.model to copy in', valueName: 'FILE' },
  },
  examples: ['chainlm-model import-llama2c stories260K.bin --out models/stories260K', 'chainlm-model import-llama2c stories15M.bin --out models/s15M --tokenizer tokenizer.model'],
  async run({ positionals, options, events }) {
    const result = await importLlama2c(positionals[0], options.out, options.tokenizer ? { tokenizer: options.tokenizer } : {});
    for (const warning of result.warnings) events.emit({ type: 'log', level: 'warn', message: warning });
    return result;
  },
  render(result, print) {
    const { outDir, config, files, parameters } = result as ImportLlama2cResult;
    print(`wrote ${outDir}: ${files.join(', ')}`);
    print(`  llama2.c v${config.version}: dim ${config.dim}, ${config.layers} layers, ${config.heads} heads / ${config.kvHeads} kv, vocab ${config.vocabSize}, rope θ ${config.ropeTheta}, ${parameters.toLocaleString('en-US')} parameters`);
  },
});
