/**
 * Retrievers pick the in-context examples (indices into the train split) for each
 * test item. They are given the items' global test indices, so a seeded choice
 * does not change when a dataset is split into shards or resumed.
 */
import type { ComponentSpec } from '../config/component.js';
import type { EvalModel } from '../models/eval-model.js';
import { NamedRegistry } from '../registry.js';
import type { Row } from '../types.js';

export interface RetrieverContext {
  /** Columns whose text describes an item (reader.inputColumns). */
  inputColumns: readonly string[];
  model?: EvalModel;
}

export interface Retriever {
  /** For each test row, the train indices of its examples, in prompt order. */
  retrieve(test: readonly Row[], testIndices: readonly number[], train: readonly Row[], context: RetrieverContext): Promise<number[][]>;
}

export type RetrieverSpec<O extends { type: string }> = ComponentSpec<O, Retriever>;

export const retrievers = new NamedRegistry<RetrieverSpec<any>>('retriever');

/** The text of a row used for similarity: its input columns joined by newlines. */
export function rowText(row: Row, inputColumns: readonly string[]): string {
  return inputColumns.map((column) => String(row[column] ?? '')).join('\n');
}
