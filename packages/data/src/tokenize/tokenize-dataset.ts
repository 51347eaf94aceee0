/**
 * Tokenize + pack a dataset into Arrow IPC shards (a new dataset of kind `tokenized`).
 *
 *   text                   → pretrain rows: `[bos] text eos` documents packed back to back
 *   chat, instruction, qa  → sft rows: rendered by the chat template, loss only on
 *                            assistant spans (instruction/qa become user → assistant)
 *
 * Records go to validation when the first 32 bits of their content id, as a fraction
 * of 2^32, fall below `validationFraction` — deterministic and independent of order.
 * Encoding runs on worker threads (EncoderPool); this thread reads Parquet, routes
 * and packs, keeping 2 jobs per worker in flight so both cores stay busy.
 */
import { statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256File, stableHash, writeJsonAtomic, type ChainlmHome, type EventBus } from '@chainlm/core';
import { dataErrors } from '../errors.js';
import type { ChatMessage, RecordKind, StoredRecord, ToolCall } from '../records/kinds.js';
import { datasetExists, readDataset, writeDataset } from '../store/dataset-store.js';
import type { DatasetManifest } from '../store/manifest.js';
import { readRecords } from '../store/read-records.js';
import { createEncoderPool, type EncoderPool } from './encoder-pool.js';
import type { EncodeJob, EncodedBatch, EncoderSetup } from './encode-job.js';
import type { Conversation, TemplateMessage } from './sft-render.js';
import { loadPackTokenizer } from './load-tokenizer.js';
import { specialIds } from './encode-job.js';
import { SequencePacker } from './packer.js';
import { shardColumns, writeShard } from './shard-io.js';
import { shardManifestFile, type ShardManifest, type SplitName } from './shard-manifest.js';
import type { DataQueueOptions } from '../queue/staged-batches.js';

export interface TokenizeOptions {
  home: ChainlmHome;
  input: string;
  output: string;
  /** Tokenizer file or folder (anything @chainlm/model's loadTokenizer accepts). */
  tokenizer: string;
  /** Tokens per packed row, the shifted target included — PackedRows' rowWidth (a trainer's seqLen + 1); the CLI's --seq-len. */
  seqLen: number;
  /** sft only: model folder, tokenizer_config.json, .jinja file or builtin name; default the tokenizer folder. */
  chatTemplate?: string;
  addBos?: boolean;
  validationFraction?: number;
  rowsPerShard?: number;
  /** Worker threads (default: one per core; 0 = this thread). */
  workers?: number;
  replace?: boolean;
  events?: EventBus;
  /** Encode on `chainlm-data worker` processes, one input part per task; packing stays here. */
  queue?: DataQueueOptions;
}

export async function tokenizeDataset(options: TokenizeOptions): Promise<ShardManifest> {
  const source = await readDataset(options.home, options.input);
  const kind = source.kind as RecordKind | 'tokenized';
  if (kind === 'tokenized' || kind === 'mcq') throw dataErrors.kindUnsupported('tokenize', kind, ['text', 'chat', 'instruction', 'qa']);
  if (options.output === options.input || (!options.replace && datasetExists(options.home, options.output))) throw dataErrors.datasetExists(options.output);
  const mode = kind === 'text' ? 'pretrain' : 'sft';
  const tokenizerPath = resolve(options.tokenizer);
  const setup: EncoderSetup = { tokenizerPath, chatTemplate: mode === 'sft' ? (options.chatTemplate ?? tokenizerPath) : null, addBos: options.addBos ?? false };
  const special = specialIds(await loadPackTokenizer(tokenizerPath));
  const pool = await createEncoderPool(setup, options.queue ? 0 : options.workers);
  const task = options.events?.task(`tokenize ${options.input} → ${options.output}`, { total: source.counts.records, unit: 'records' });
  let shards: ShardManifest | undefined;
  try {
    await writeDataset(options.home, options.output, async (folder) => {
      const splits = { train: newSplit(), validation: newSplit() };
      const packers = createPackers(folder, splits, { rowWidth: options.seqLen, mode, padId: special.padId, rowsPerShard: options.rowsPerShard ?? 2048 });
      await encodeAndPack(options, kind, setup, pool, packers, splits, (records) => task?.advance(records));
      await finishSplits(packers, splits);
      shards = {
        formatVersion: 1,
        source: options.input,
        mode,
        seqLen: options.seqLen,
        rows: splits.train.rows + splits.validation.rows,
        tokens: splits.train.tokens + splits.validation.tokens,
        tokenizer: { path: tokenizerPath, sha256: await tokenizerHash(tokenizerPath), ...special },
        chatTemplate: setup.chatTemplate,
        addBos: setup.addBos,
        validationFraction: options.validationFraction ?? defaultValidationFraction,
        splits,
        columns: shardColumns,
      };
      await writeJsonAtomic(join(folder, shardManifestFile), shards);
      return tokenizedManifest(options, source.counts.records, shards);
    });
  } finally {
    await pool.close();
  }
  task?.finish({ tokens: shards!.tokens, rows: shards!.rows });
  return shards!;
}

const defaultValidationFraction = 0.01;

type Split = ReturnType<typeof newSplit>;
type Splits = Record<SplitName, Split>;

function newSplit() {
  return { files: [] as { file: string; rows: number; tokens: number }[], rows: 0, tokens: 0, documents: 0, truncated: 0, skipped: 0 };
}

/** One packer per split; each full block becomes shards/<split>-NNNNN.arrow. */
function createPackers(folder: string, splits: Splits, pack: { rowWidth: number; mode: 'pretrain' | 'sft'; padId: number; rowsPerShard: number }): Record<SplitName, SequencePacker> {
  const packerFor = (split: SplitName) =>
    new SequencePacker({
      rowWidth: pack.rowWidth,
      mode: pack.mode,
      padId: pack.padId,
      rowsPerBlock: pack.rowsPerShard,
      emit: async (block) => {
        const file = `shards/${split}-${String(splits[split].files.length).padStart(5, '0')}.arrow`;
        await writeShard(join(folder, file), block);
        let tokens = 0;
        for (let index = 0; index < block.segmentIds.length; index++) if (block.segmentIds[index] !== 0) tokens++;
        splits[split].files.push({ file, rows: block.rows, tokens });
      },
    });
  return { train: packerFor('train'), validation: packerFor('validation') };
}

/**
 * Reads the input once, routes each record to its split, encodes batches on the pool
 * and packs the results in submission order, keeping 2 jobs per worker in flight so
 * both cores stay busy while this thread reads and packs.
 */
async function encodeAndPack(
  options: TokenizeOptions,
  kind: RecordKind,
  setup: EncoderSetup,
  pool: EncoderPool,
  packers: Record<SplitName, SequencePacker>,
  splits: Splits,
  onRecords: (count: number) => void,
): Promise<void> {
  const fraction = options.validationFraction ?? defaultValidationFraction;
  const routesOf = (records: StoredRecord[]) => records.map((record) => (isValidation(record.id, fraction) ? 'validation' : 'train') as SplitName);
  const pack = async (batch: EncodedBatch, routes: SplitName[]) => {
    for (const failure of batch.failures) splits[routes[failure.index]].skipped++;
    for (let index = 0; index < routes.length; index++) {
      const [from, to] = [batch.offsets[index], batch.offsets[index + 1]];
      if (from !== to) await packers[routes[index]].add(batch.ids.subarray(from, to), batch.mask?.subarray(from, to));
    }
    onRecords(routes.length);
  };
  if (options.queue) {
    const { stagedBatches } = await import('../queue/staged-batches.js'); // on use: BullMQ loads slowly
    const work = { stage: 'encode' as const, setup, recordKind: kind };
    for await (const { records, outcome } of stagedBatches<EncodedBatch>(options.home, options.input, work, options.queue, options.events)) await pack(outcome, routesOf(records));
    return;
  }
  const inFlight: { job: Promise<EncodedBatch>; routes: SplitName[] }[] = [];
  const drain = async (limit: number) => {
    while (inFlight.length > limit) {
      const { job, routes } = inFlight.shift()!;
      await pack(await job, routes);
    }
  };
  try {
    for await (const records of readRecords(options.home, options.input)) {
      inFlight.push({ job: pool.run(toJob(kind, records)), routes: routesOf(records) });
      await drain(Math.max(2, pool.workers * 2));
    }
    await drain(0);
  } finally {
    await Promise.allSettled(inFlight.map((entry) => entry.job));
  }
}

async function finishSplits(packers: Record<SplitName, SequencePacker>, splits: Splits): Promise<void> {
  for (const split of ['train', 'validation'] as const) {
    await packers[split].finish();
    Object.assign(splits[split], { documents: packers[split].documents, truncated: packers[split].truncated, rows: packers[split].rowsEmitted });
    splits[split].tokens = splits[split].files.reduce((total, file) => total + file.tokens, 0);
  }
}

function tokenizedManifest(options: TokenizeOptions, read: number, shards: ShardManifest): DatasetManifest {
  const now = new Date().toISOString();
  return {
    formatVersion: 1,
    name: options.output,
    kind: 'tokenized',
    createdAt: now,
    updatedAt: now,
    columns: shardColumns,
    counts: { read, records: shards.rows, quarantined: 0 },
    sources: [],
    parts: [],
    quarantineParts: [],
    derivedFrom: [options.input],
    derivation: { step: 'tokenize', tokenizer: shards.tokenizer.path, seqLen: shards.seqLen, mode: shards.mode, tokens: shards.tokens },
  };
}

export function isValidation(id: string, fraction: number): boolean {
  return Number.parseInt(id.slice(0, 8), 16) / 4294967296 < fraction;
}

export function toJob(kind: RecordKind, records: StoredRecord[]): EncodeJob {
  if (kind === 'text') return { mode: 'pretrain', texts: records.map((record) => record.text as string) };
  return { mode: 'sft', conversations: records.map((record) => toConversation(kind, record)) };
}

/**
 * A stored record as a chat template's input: messages in the form transformers'
 * apply_chat_template takes (an assistant's tool calls as
 * `[{type: "function", function: {name, arguments: {...}}}]`) plus the tool list.
 */
export function toConversation(kind: RecordKind, record: StoredRecord): Conversation {
  switch (kind) {
    case 'chat': {
      const messages = (record.messages as ChatMessage[]).map(templateMessage);
      const tools = typeof record.tools === 'string' ? (JSON.parse(record.tools) as unknown[]) : undefined;
      return tools ? { messages, tools } : { messages };
    }
    case 'instruction': {
      const input = record.input as string;
      return {
        messages: [
          { role: 'user', content: input ? `${record.instruction}\n\n${input}` : (record.instruction as string) },
          { role: 'assistant', content: record.output as string },
        ],
      };
    }
    default:
      return {
        messages: [
          { role: 'user', content: record.question as string },
          { role: 'assistant', content: String(record.answer) },
        ],
      };
  }
}

function templateMessage(message: ChatMessage): TemplateMessage {
  if (!message.tool_calls) return { role: message.role, content: message.content };
  const calls = JSON.parse(message.tool_calls) as ToolCall[];
  return { role: message.role, content: message.content, tool_calls: calls.map((call) => ({ type: 'function', function: call })) };
}

/** sha256 of the tokenizer file, or of the tokenizer files in a folder. */
async function tokenizerHash(path: string): Promise<string> {
  if (!statSync(path).isDirectory()) return sha256File(path);
  const files = readdirSync(path).filter((name) => /^(tokenizer.*|.*\.model|.*\.jinja|special_tokens_map\.json)$/.test(name)).sort();
  return stableHash(await Promise.all(files.map(async (name) => [name, await sha256File(join(path, name))])));
}
