/**
 * The one interface every cleaning operator implements. An operator is defined by a
 * name, a strict zod schema for its parameters (the recipe's keys besides `op`), and
 * `create`, which returns a batch function. Mappers return every record (maybe
 * changed) and count `modified`; filters and deduplicators move records to `dropped`
 * with a reason. Deduplicators keep state across batches (records seen so far).
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

export interface OperatorDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  /** Parameters, without the `op` key. Must be a z.strictObject. */
  params: S;
  create(params: z.infer<S>, context: OperatorContext): OperatorFunction | Promise<OperatorFunction>;
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
