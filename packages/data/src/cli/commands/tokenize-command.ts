import { defineCommand, ensureHome, UsageError } from '@chainlm/core';
import { tokenizeDataset } from '../../tokenize/tokenize-dataset.js';
import { checkWorkers, workersOption } from '../workers-option.js';
import { queueFrom, queueOptions } from '../queue-option.js';
import type { ShardManifest } from '../../tokenize/shard-manifest.js';

export const tokenizeCommand = defineCommand({
  name: 'tokenize',
  summary: 'tokenize and pack a dataset into Arrow IPC shards (pretrain for text, SFT with loss masks for chat/instruction/qa)',
  positionals: [{ name: 'dataset', description: 'input dataset', required: true }],
  options: {
    tokenizer: { type: 'string', required: true, valueName: 'PATH', description: 'tokenizer file or folder (tokenizer.json, *.model, tokenizer.bin)' },
    out: { type: 'string', required: true, valueName: 'NAME', description: 'output dataset (kind tokenized)' },
    seqLen: { type: 'number', default: 1024, description: 'tokens per packed row' },
    chatTemplate: { type: 'string', valueName: 'SOURCE', description: 'SFT chat template: model folder, tokenizer_config.json, .jinja or chatml/llama3/internlm2 (default: the tokenizer folder)' },
    addBos: { type: 'boolean', description: 'prefix every pretraining document with BOS' },
    validation: { type: 'number', default: 0.01, description: 'fraction of records (by content hash) for the validation split' },
    rowsPerShard: { type: 'number', default: 2048, description: 'rows per shard file' },
    workers: workersOption,
    ...queueOptions,
    replace: { type: 'boolean', description: 'overwrite the output dataset if it exists' },
  },
  examples: ['chainlm-data tokenize shakespeare --tokenizer ../shared/models/gpt2-tokenizer --seq-len 256 --out shakespeare-tok'],
  async run({ options, positionals, events }) {
    if (!Number.isInteger(options.seqLen) || options.seqLen < 2) throw new UsageError(`tokenize: --seq-len must be an integer ≥ 2, got ${options.seqLen}`);
    if (!(options.validation >= 0 && options.validation < 1)) throw new UsageError(`tokenize: --validation must be in [0, 1), got ${options.validation}`);
    if (!Number.isInteger(options.rowsPerShard) || options.rowsPerShard < 1) throw new UsageError(`tokenize: --rows-per-shard must be a positive integer`);
    return tokenizeDataset({
      home: ensureHome(),
      input: positionals[0],
      output: options.out,
      tokenizer: options.tokenizer,
      seqLen: options.seqLen,
      chatTemplate: options.chatTemplate,
      addBos: options.addBos ?? false,
      validationFraction: options.validation,
      rowsPerShard: options.rowsPerShard,
      workers: checkWorkers('tokenize', options.workers),
      queue: queueFrom('tokenize', options),
      replace: options.replace ?? false,
      events,
    });
  },
  render(result, print) {
    const manifest = result as ShardManifest;
    print(`${manifest.source} → ${manifest.mode} shards: ${manifest.tokens} tokens in ${manifest.rows} rows of ${manifest.seqLen}`);
    print(`  train ${manifest.splits.train.rows} rows (${manifest.splits.train.documents} docs), validation ${manifest.splits.validation.rows} rows (${manifest.splits.validation.documents} docs)`);
    const truncated = manifest.splits.train.truncated + manifest.splits.validation.truncated;
    const skipped = manifest.splits.train.skipped + manifest.splits.validation.skipped;
    if (truncated || skipped) print(`  truncated ${truncated}, skipped ${skipped}`);
  },
});
