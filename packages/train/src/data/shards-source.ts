/**
 * Data that chainlm-data already tokenized and packed: Arrow IPC shards with a
 * shards.json, read as @chainlm/data's PackedRows (one type, one packer: the rows a
 * text file is packed into here come from the same packer). A row of rowWidth W
 * trains W − 1 predictions. Dataset names in
 * CHAINLM_HOME resolve to their folder; a raw (untokenized) dataset is tokenized
 * first with @chainlm/data's tokenizeDataset into `<name>.tok<W>-<tokenizer hash>`,
 * with data.tokenizer, the base model's tokenizer, or a BPE trained on its records.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { sha256File, writeJsonAtomic, type ChainlmHome } from '@chainlm/core';
import { concatRows, datasetArtifactId, datasetExists, datasetFolder, openShards, readRecords, tokenizeDataset, type PackedRows, type ShardBatch } from '@chainlm/data';
import { loadTokenizer, trainBpeTokenizer } from '@chainlm/model';
import type { TrainConfig } from '../config/schema.js';
import { trainError, trainErrorCodes } from '../errors.js';
import { recordToDocument } from './documents.js';
import type { TrainingData } from './source.js';

async function collect(batches: AsyncGenerator<ShardBatch>): Promise<PackedRows | undefined> {
  const parts: ShardBatch[] = [];
  for await (const batch of batches) parts.push(batch);
  return parts.length === 0 ? undefined : concatRows(parts);
}

export async function loadShardData(folder: string, datasetName: string): Promise<TrainingData> {
  const shards = await openShards(folder);
  const train = await collect(shards.batches({ split: 'train', batchRows: 256 }));
  const val = await collect(shards.batches({ split: 'validation', batchRows: 256 }));
  if (!train || !val) {
    throw trainError(trainErrorCodes.dataTooSmall, `${folder}: the ${train ? 'validation' : 'train'} split has no rows`, 'tokenize again with a larger validation fraction or more data (`chainlm-data tokenize`)', 2);
  }
  const tokenizerPath = shards.manifest.tokenizer.path;
  return { train, val, tokenizer: await loadTokenizer(tokenizerPath), tokenizerPath, datasetId: datasetArtifactId(datasetName), datasetName, datasetPath: folder };
}

/** A byte-level BPE trained on an ingested dataset's records, kept in the run folder. */
async function runTokenizer(home: ChainlmHome, name: string, data: TrainConfig['data'], runDir: string): Promise<string> {
  const path = join(runDir, 'tokenizer.json');
  if (existsSync(path)) return path;
  const lines: string[] = [];
  for await (const records of readRecords(home, name)) {
    for (const record of records) {
      const document = recordToDocument(record);
      if (document) lines.push(...`${document.prompt}${document.response}`.split('\n'));
    }
  }
  const trained = await trainBpeTokenizer(lines, { vocabSize: data.tokenizerVocabSize, specialTokens: ['<|endoftext|>'] });
  await writeJsonAtomic(path, trained.tokenizerJson);
  return path;
}

/** `data.shards` (a folder) or `data.dataset` naming a dataset in CHAINLM_HOME. */
export async function loadDatasetData(data: TrainConfig['data'], home: ChainlmHome, modelTokenizer: string | undefined, runDir: string): Promise<TrainingData | undefined> {
  if (data.shards !== undefined) {
    const folder = resolve(data.shards);
    if (!existsSync(join(folder, 'shards.json'))) {
      throw trainError(trainErrorCodes.dataMissing, `data.shards: ${folder} has no shards.json`, 'give the folder `chainlm-data tokenize` wrote', 2);
    }
    return loadShardData(folder, basename(folder));
  }
  const name = data.dataset!;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || !datasetExists(home, name)) return undefined;
  if (existsSync(join(datasetFolder(home, name), 'shards.json'))) return loadShardData(datasetFolder(home, name), name);
  const tokenizer = resolve(data.tokenizer ?? modelTokenizer ?? (await runTokenizer(home, name, data, runDir)));
  // tokenizeDataset's seqLen is the row width (data.seqLen + 1). The tokenized copy is named by row width and tokenizer, so runs with another tokenizer never share it.
  const output = `${name}.tok${data.seqLen + 1}-${(await sha256File(tokenizer)).slice(0, 8)}`;
  if (!datasetExists(home, output)) {
    await tokenizeDataset({ home, input: name, output, tokenizer, seqLen: data.seqLen + 1, validationFraction: data.valFraction, workers: 0 });
  }
  return loadShardData(datasetFolder(home, output), output);
}
