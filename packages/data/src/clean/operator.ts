/**
 * The one interface every cleaning operator implements. An operator is defined by a
 * name, a strict zod schema for its parameters (the recipe's keys besides `op`), and
 * `create`, which returns an operator: either a batch function or a keyed filter.
 *
 * A batch function must be per-record and stateless: cleaning runs it on worker
 * threads, on any slice of the records. Mappers return every record (the same object
 * when unchanged, a changed copy otherwise) and count `modified`; filters move records
 * to `dropped` with a reason. `kept` keeps input order.
 *
 * A keyed filter is for operators that must see records in order with state, i.e.
 * deduplicators (records seen so far): `key` is the costly per-record part (a hash, a
 * MinHash signature) and runs on worker threads; `decide` runs on one thread, in
 * stored order, and keeps the state. Keys cross threads, so they must be
 * structured-cloneable (strings, numbers, typed arrays, null).
 *
 * Adding an operator = one file exporting a definition + one line in operators/index.ts.
 */
import type { z } from 'zod';
import { mapRecordText, type RecordKind, type StoredRecord } from '../records/kinds.js';

export interface OperatorContext {
  kind: RecordKind;
  /** Loads a tokenizer (for token-length filters); resolved relative to the recipe file. */
  loadTokenCounter(path: string): Promise<(text: string) => number>;
}

export interface OperatorOutput {
  kept: StoredRecord[];
  dropped: { record: StoredRecord; reason: string }[];
  /** Records a mapper changed (0 for filters). */
  modified: number;
}

export type OperatorFunction = (records: StoredRecord[]) => OperatorOutput;

export interface KeyedFilter<Key = unknown> {
  keyed: true;
  /** Pure per-record work; may run on any thread, in any order. */
  key(record: StoredRecord): Key;
  /** Stateful, in stored order on one thread: a drop reason, or undefined to keep. */
  decide(key: Key, record: StoredRecord): string | undefined;
}

export type Operator = OperatorFunction | KeyedFilter<any>;

export function keyedFilter<Key>(key: (record: StoredRecord) => Key, decide: (key: Key, record: StoredRecord) => string | undefined): KeyedFilter<Key> {
  return { keyed: true, key, decide };
}

export function isKeyedFilter(operator: Operator): operator is KeyedFilter<any> {
  return typeof operator !== 'function';
}

/** Any operator as a batch function (a keyed filter keys and decides each record in turn). */
export function batchFunction(operator: Operator): OperatorFunction {
  if (!isKeyedFilter(operator)) return operator;
  return filterBy((record) => operator.decide(operator.key(record), record));
}

export interface OperatorDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  /** Parameters, without the `op` key. Must be a z.strictObject. */
  params: S;
  create(params: z.infer<S>, context: OperatorContext): Operator | Promise<Operator>;
}

export function defineOperator<S extends z.ZodType>(definition: OperatorDefinition<S>): OperatorDefinition<S> {
  return definition;
}

/** A filter from a per-record predicate: returns a drop reason, or undefined to keep. */
export function filterBy(check: (record: StoredRecord) => string | undefined): OperatorFunction {
  return (records) => {
    const output: OperatorOutput = { kept: [], dropped: [], modified: 0 };
    for (const record of records) {
      const reason = check(record);
      if (reason === undefined) output.kept.push(record);
      else output.dropped.push({ record, reason });
    }
    return output;
  };
}

/** A mapper from a per-string transform applied to every content string of a record. */
export function mapStrings(kind: RecordKind, transform: (text: string) => string): OperatorFunction {
  return (records) => {
    const output: OperatorOutput = { kept: [], dropped: [], modified: 0 };
    for (const record of records) {
      let changed = false;
      const mapped = mapRecordText(kind, record, (text) => {
        const result = transform(text);
        if (result !== text) changed = true;
        return result;
      });
      output.kept.push(changed ? mapped : record);
      if (changed) output.modified++;
    }
    return output;
  };
}
