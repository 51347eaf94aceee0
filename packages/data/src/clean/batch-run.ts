/**
 * The per-batch part of a cleaning run, the work clean workers do: every record goes
 * through the recipe's batch functions in order, and keyed filters (dedup) only
 * compute their keys here — they are treated as keeping everything, since whether a
 * record is a duplicate is decided later, in order, on the main thread (merge-batch.ts).
 * Batch functions are per-record, so running them past a keyed filter on a record that
 * filter may still drop changes nothing: the merge ignores what happened after the drop.
 *
 * The outcome is compact: which operator dropped each record (and why), which changed
 * it, its final content when changed, and the keys. Unchanged records are not sent back.
 */
import { recordId, recordText, type RecordKind, type StoredRecord } from '../records/kinds.js';
import { exampleOf, type DroppedExample } from './clean-report.js';
import { isKeyedFilter } from './operator.js';
import type { Step } from './recipe-steps.js';

export interface CleanJob {
  records: StoredRecord[];
}

export interface BatchOutcome {
  /** [records]: the batch function that dropped the record, or -1. */
  droppedAt: Int32Array;
  /** The drop of each dropped record, by record index (sparse). */
  drops: (DroppedExample | undefined)[];
  /** [records × steps]: 1 where that step's batch function changed the record. */
  modified: Uint8Array;
  /** Final content (id recomputed) of records any step changed, by record index (sparse). */
  changed: (StoredRecord | undefined)[];
  /** Per step: a keyed filter's keys by record index (absent past a drop), else null. */
  keys: (unknown[] | null)[];
  /** Per step: for a keyed filter, excerpts of records an earlier step changed (what a drop example shows). */
  keyedExcerpts: ((string | undefined)[] | null)[];
  /** [steps]: seconds spent in each step on this batch. */
  seconds: Float64Array;
}

export function batchRunner(steps: Step[], kind: RecordKind): (job: CleanJob) => BatchOutcome {
  return ({ records: input }) => {
    const count = input.length;
    const outcome: BatchOutcome = {
      droppedAt: new Int32Array(count).fill(-1),
      drops: [],
      modified: new Uint8Array(count * steps.length),
      changed: [],
      keys: steps.map((step) => (isKeyedFilter(step.operator) ? [] : null)),
      keyedExcerpts: steps.map((step) => (isKeyedFilter(step.operator) ? [] : null)),
      seconds: new Float64Array(steps.length),
    };
    // Live records and their indexes in `input`, narrowed step by step.
    let records = input;
    let indexes = Array.from({ length: count }, (_, index) => index);
    for (const [stepIndex, { operator }] of steps.entries()) {
      const started = performance.now();
      if (isKeyedFilter(operator)) {
        const keys = outcome.keys[stepIndex]!;
        const excerpts = outcome.keyedExcerpts[stepIndex]!;
        for (const [at, record] of records.entries()) {
          keys[indexes[at]] = operator.key(record);
          if (record !== input[indexes[at]]) excerpts[indexes[at]] = exampleOf(record, '', recordText(kind, record)).excerpt;
        }
      } else {
        const output = operator(records);
        const reasons = new Map(output.dropped.map((entry) => [entry.record, entry.reason]));
        if (reasons.size !== output.dropped.length || output.kept.length + reasons.size !== records.length) {
          throw new Error(`operator ${steps[stepIndex].report.op} returned ${output.kept.length} kept + ${output.dropped.length} dropped for ${records.length} records: each input record must be kept or dropped once`);
        }
        const keptIndexes: number[] = [];
        let next = 0;
        for (const [at, record] of records.entries()) {
          const index = indexes[at];
          const reason = reasons.get(record);
          if (reason !== undefined) {
            outcome.droppedAt[index] = stepIndex;
            outcome.drops[index] = exampleOf(record, reason, recordText(kind, record));
            continue;
          }
          // Mappers return the input object when they change nothing.
          if (output.kept[next++] !== record) outcome.modified[index * steps.length + stepIndex] = 1;
          keptIndexes.push(index);
        }
        records = output.kept;
        indexes = keptIndexes;
      }
      outcome.seconds[stepIndex] = (performance.now() - started) / 1000;
    }
    for (const [at, record] of records.entries()) {
      if (record !== input[indexes[at]]) outcome.changed[indexes[at]] = { ...record, id: recordId(kind, record) };
    }
    return outcome;
  };
}
