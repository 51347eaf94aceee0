/**
 * Data that chainlm-data already tokenized and packed: Arrow IPC shards with a
 * shards.json (rows of seqLen token ids; segment ids 1, 2, … per document and 0 for
 * padding; loss mask 1 on tokens that are targets). A row of width W trains W − 1
 * predictions, exactly like the rows this package packs itself. Dataset names in
 * CHAINLM_HOME resolve to their folder; a raw (untokenized) dataset is tokenized
 * first with @chainlm/data's tokenizeDataset into `<name>.tok<W>`.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ChainlmHome } from '@chainlm/core';
import { datasetArtifactId, datasetExists, datasetFolder, openShards, readDataset, tokenizeDataset, type ShardBatch } from '@chainlm/data';
import { loadTokenizer } from '@chainlm/model';
import type { TrainConfig } from '../config/schema.js';
import { trainError, trainErrorCodes } from '../errors.js';
import type { PackedRows } from './packed-rows.js';
import type { TrainingData } from './source.js';

async function collect(batches: AsyncGenerator<ShardBatch>): Promise<PackedRows | undefined> {
  const parts: ShardBatch[] = [];
  for await (const batch of batches) parts.push(batch);
  if (parts.length === 0) return undefined;
  const width = parts[0].seqLen;
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const packed: PackedRows = { rows, width, tokens: new Int32Array(rows * width), lossMask: new Uint8Array(rows * width), segmentIds: new Int32Array(rows * width) };
  let at = 0;
  for (const part of parts) {
    packed.tokens.set(part.tokenIds, at);
    packed.lossMask!.set(part.lossMask, at);
    packed.segmentIds!.set(part.segmentIds, at);
    at += part.tokenIds.length;
  }
  return packed;
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

/** `data.shards` (a folder) or `data.dataset` naming a dataset in CHAINLM_HOME. */
export async function loadDatasetData(data: TrainConfig['data'], home: ChainlmHome, modelTokenizer: string | undefined): Promise<TrainingData | undefined> {
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
  const tokenizer = data.tokenizer ?? modelTokenizer;
  if (tokenizer === undefined) {
    throw trainError(trainErrorCodes.dataMissing, `dataset "${name}" is not tokenized and no tokenizer is given`, 'set data.tokenizer (or model.path with a tokenizer), or tokenize it with `chainlm-data tokenize`', 2);
  }
  const output = `${name}.tok${data.seqLen + 1}`;
  if (!datasetExists(home, output)) {
    await readDataset(home, name);
    await tokenizeDataset({ home, input: name, output, tokenizer: resolve(tokenizer), seqLen: data.seqLen + 1, validationFraction: data.valFraction, workers: 0 });
  }
  return loadShardData(datasetFolder(home, output), output);
}
