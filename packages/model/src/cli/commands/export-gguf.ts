import { defineCommand, UsageError } from '@chainlm/core';
import { exportGguf, ggufExportTypes, type GgufExportResult, type GgufExportType } from '../../io/gguf-export.js';

export const exportGgufCommand = defineCommand({
  name: 'export-gguf',
  summary: 'write a GGUF file (f32, f16, q8_0 or q4_0) of an HF Llama folder for llama.cpp',
  description: 'Embeds the tokenizer: a SentencePiece tokenizer.model or llama2.c tokenizer.bin as llama.cpp "llama", a byte-level BPE tokenizer.json (what chainlm trains) as "gpt2" with a matching pre-tokenizer, merges, special tokens and chat template. Norms stay f32; under q8_0/q4_0, matrices whose rows are not a multiple of 32 are stored f16, and under q4_0 the output matrix is stored q8_0.',
  positionals: [{ name: 'path', description: 'HF Llama folder', required: true }],
  options: {
    out: { type: 'string', description: 'output .gguf file', valueName: 'FILE', required: true },
    type: { type: 'string', description: 'f32, f16, q8_0 or q4_0', valueName: 'TYPE', default: 'f16' },
  },
  examples: ['chainlm-model export-gguf models/stories260K --out stories260K-q8_0.gguf --type q8_0', 'chainlm-model export-gguf models/my-chat --out my-chat-q4_0.gguf --type q4_0'],
  async run({ positionals, options, events }) {
    if (!ggufExportTypes.includes(options.type as GgufExportType)) throw new UsageError(`export-gguf: --type must be ${ggufExportTypes.join(', ')}, got "${options.type}"`);
    const result = await exportGguf(positionals[0], options.out, options.type as GgufExportType);
    for (const warning of result.warnings) events.emit({ type: 'log', level: 'warn', message: warning });
    return result;
  },
  render(result, print) {
    const { file, bytes, type, tensors, tokenizer } = result as GgufExportResult;
    print(`wrote ${file}: ${bytes.toLocaleString('en-US')} bytes, ${tensors.length} tensors, ${type}, tokenizer ${tokenizer}`);
  },
});
