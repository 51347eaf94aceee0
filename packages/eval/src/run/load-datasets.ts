/**
 * Loads each dataset once (shared by every model), checks the reader's splits
 * and columns, and applies `limit` to the test split.
 */
import { createComponent } from '../config/component.js';
import { promptHash, type DatasetConfig } from '../config/dataset-config.js';
import { loaders, type DatasetLoader } from '../datasets/loader.js';
import { EvalError } from '../errors.js';
import { inferencers, type Inferencer } from '../inferencers/inferencer.js';
import { retrievers, type Retriever } from '../retrievers/retriever.js';
import type { Row } from '../types.js';

export interface LoadedDataset {
  config: DatasetConfig;
  promptHash: string;
  test: Row[];
  train: Row[];
  retriever: Retriever;
  inferencer: Inferencer;
}

export async function loadDataset(config: DatasetConfig, limit: number | undefined): Promise<LoadedDataset> {
  const splits = await createComponent<DatasetLoader, void>(loaders, config.loader, undefined).load();
  const { testSplit, trainSplit, inputColumns, outputColumn } = config.reader;
  const test = splits[testSplit];
  if (!test) {
    throw new EvalError('eval-dataset-format', `dataset ${config.abbr}: reader.testSplit "${testSplit}" is not a split of the loaded data (splits: ${Object.keys(splits).join(', ')})`, 'set reader.testSplit to one of those');
  }
  const zeroShot = config.infer.retriever.type === 'zero-shot';
  const train = splits[trainSplit];
  if (!train && !zeroShot) {
    throw new EvalError('eval-dataset-format', `dataset ${config.abbr}: reader.trainSplit "${trainSplit}" (the in-context examples) is not a split of the loaded data (splits: ${Object.keys(splits).join(', ')})`, 'set reader.trainSplit, or use retriever type zero-shot');
  }
  const limited = limit === undefined ? test : test.slice(0, limit);
  const missing = [...inputColumns, outputColumn].find((column) => limited.length > 0 && limited[0][column] === undefined);
  if (missing) {
    throw new EvalError('eval-dataset-format', `dataset ${config.abbr}: the reader names column "${missing}" but the rows have ${Object.keys(limited[0]).join(', ')}`, 'fix reader.inputColumns / reader.outputColumn');
  }
  return {
    config,
    promptHash: promptHash(config),
    test: limited,
    train: train ?? [],
    retriever: createComponent<Retriever, void>(retrievers, config.infer.retriever, undefined),
    inferencer: createComponent<Inferencer, void>(inferencers, config.infer.inferencer, undefined),
  };
}
