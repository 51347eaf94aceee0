/**
 * Resolves a config's `data` into packed train/validation rows and the tokenizer.
 *  - `data.dataset` a file (.txt, .jsonl, .json): documents → tokenizer (given, or a
 *    byte-level BPE trained on the data and kept in the run folder) → rows packed by
 *    @chainlm/data's packDocuments: each document followed by EOS, concatenated and
 *    cut into rows of data.seqLen + 1 tokens (the partial last row dropped).
 *  - `data.dataset` a dataset name ingested by chainlm-data, or `data.shards`: read
 *    through @chainlm/data (see shards-source.ts).
 * Tokenizing is deterministic, so a resumed run rebuilds exactly the same rows.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { resolveHome, writeJsonAtomic, type ChainlmHome } from '@chainlm/core';
import { packDocuments, splitTailRows, type PackDocument, type PackedRows } from '@chainlm/data';
import { loadTokenizer, trainBpeTokenizer, type Tokenizer } from '@chainlm/model';
import type { TrainConfig } from '../config/schema.js';
import { trainError, trainErrorCodes } from '../errors.js';
import { readDocumentsFile, type TextDocument } from './documents.js';
import { loadDatasetData } from './shards-source.js';

export interface TrainingData {
  train: PackedRows;
  val: PackedRows;
  tokenizer: Tokenizer;
  /** Path of the tokenizer used (a file or folder). */
  tokenizerPath: string;
  /** Registry id of the dataset (`dataset:<name>`). */
  datasetId: string;
  datasetName: string;
  datasetPath: string;
}

export async function loadTrainingData(data: TrainConfig['data'], runDir: string, modelTokenizer?: string, home: ChainlmHome = resolveHome()): Promise<TrainingData> {
  const fromDataset = await loadDatasetData(data, home, modelTokenizer, runDir);
  if (fromDataset) return fromDataset;
  const file = resolve(data.dataset!);
  if (!existsSync(file)) {
    throw trainError(trainErrorCodes.dataMissing, `data.dataset "${data.dataset}" is neither a file nor an ingested dataset`, 'give a .txt/.jsonl/.json file path, or ingest it first with `chainlm-data ingest`', 2);
  }
  const documents = readDocumentsFile(file);
  const { tokenizer, path: tokenizerPath } = await resolveTokenizer(data, runDir, documents, modelTokenizer);
  const eosId = tokenizer.eosId ?? tokenizer.specialTokens.get('<|endoftext|>');
  if (eosId === undefined) {
    throw trainError(trainErrorCodes.dataMissing, `the tokenizer ${tokenizerPath} has no EOS token`, 'use a tokenizer with an EOS (or <|endoftext|>) token', 2);
  }
  const tokenized = documents.map((document) => tokenizeDocument(tokenizer, document, data.promptLoss, eosId));
  // 'pretrain' concatenates even prompt/response documents (their masks travel with them); padding never happens as the partial row is dropped.
  const packed = await packDocuments(tokenized, { rowWidth: data.seqLen + 1, mode: 'pretrain', padId: eosId, partialRow: 'drop' });
  if (packed.rows < 2) {
    throw trainError(trainErrorCodes.dataTooSmall, `${file} packs into ${packed.rows} row(s) of ${data.seqLen + 1} tokens; training needs at least 2`, 'lower data.seqLen or give more data', 2);
  }
  const { train, val } = splitTailRows(packed, data.valFraction);
  const name = basename(file).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]/g, '-');
  return { train, val, tokenizer, tokenizerPath, datasetId: `dataset:${name}`, datasetName: name, datasetPath: file };
}

/** `prompt response EOS`; the loss skips the prompt unless promptLoss (EOS is always learned). */
function tokenizeDocument(tokenizer: Tokenizer, document: TextDocument, promptLoss: boolean, eosId: number): PackDocument {
  const prompt = document.prompt ? tokenizer.encode(document.prompt, { addSpecialTokens: false }) : [];
  const response = tokenizer.encode(document.response, { addSpecialTokens: false });
  const ids = [...prompt, ...response, eosId];
  if (prompt.length === 0 || promptLoss) return { ids };
  const lossMask = new Uint8Array(ids.length);
  lossMask.fill(1, prompt.length);
  return { ids, lossMask };
}

async function resolveTokenizer(data: TrainConfig['data'], runDir: string, documents: TextDocument[], modelTokenizer: string | undefined): Promise<{ tokenizer: Tokenizer; path: string }> {
  const given = data.tokenizer ?? modelTokenizer;
  if (given) return { tokenizer: await loadTokenizer(resolve(given)), path: resolve(given) };
  // Trained once per run and kept, so resume and export use the very same tokenizer.
  const path = join(runDir, 'tokenizer.json');
  if (existsSync(path)) return { tokenizer: await loadTokenizer(path), path };
  const lines = documents.flatMap((document) => `${document.prompt}${document.response}`.split('\n'));
  const trained = await trainBpeTokenizer(lines, { vocabSize: data.tokenizerVocabSize, specialTokens: ['<|endoftext|>'] });
  await writeJsonAtomic(path, trained.tokenizerJson);
  return { tokenizer: await loadTokenizer(path), path };
}
