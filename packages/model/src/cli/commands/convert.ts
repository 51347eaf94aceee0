import { defineCommand, UsageError } from '@chainlm/core';
import { loadHfFolder, saveHfFolder } from '../../io/hf-folder.js';
import { parseByteSize } from '../../io/byte-size.js';
import type { DType } from '../../io/types.js';

const dtypes: Record<string, DType> = { f32: 'F32', f16: 'F16', bf16: 'BF16' };

export interface ConvertResult {
  out: string;
  dtype: DType;
  files: string[];
  parameters: number;
}

export const convertCommand = defineCommand({
  name: 'convert',
  summary: 'rewrite an HF folder with another dtype and/or as shards',
  description: 'Loads every tensor, stores it as --dtype (round to nearest even), and writes config, generation config and tokenizer files along. With --shard-size the weights are split into model-0000N-of-0000M.safetensors plus model.safetensors.index.json.',
  positionals: [{ name: 'path', description: 'HF model folder', required: true }],
  options: {
    out: { type: 'string', description: 'output folder', valueName: 'DIR', required: true },
    dtype: { type: 'string', description: 'f32, f16 or bf16', valueName: 'DTYPE', required: true },
    shardSize: { type: 'string', description: 'largest shard, e.g. 2GB or 500MiB (default: one file)', valueName: 'SIZE' },
  },
  examples: ['chainlm-model convert models/llama --out models/llama-f16 --dtype f16 --shard-size 2GB'],
  async run({ positionals, options }) {
    const dtype = dtypes[options.dtype.toLowerCase()];
    if (!dtype) throw new UsageError(`convert: --dtype must be f32, f16 or bf16, got "${options.dtype}"`);
    const maxShardBytes = options.shardSize === undefined ? undefined : parseByteSize(options.shardSize);
    const folder = await loadHfFolder(positionals[0]);
    const files = await saveHfFolder(options.out, {
      configJson: folder.configJson,
      weights: folder.weights,
      dtype,
      ...(folder.generationConfig ? { generationConfig: folder.generationConfig } : {}),
      tokenizerFiles: folder.tokenizerFiles,
      maxShardBytes,
    });
    let parameters = 0;
    for (const tensor of folder.weights.values()) parameters += tensor.data.length;
    return { out: options.out, dtype, files, parameters } satisfies ConvertResult;
  },
  render(result, print) {
    const { out, dtype, files, parameters } = result as ConvertResult;
    print(`wrote ${out} (${dtype}, ${parameters.toLocaleString('en-US')} parameters): ${files.join(', ')}`);
  },
});
