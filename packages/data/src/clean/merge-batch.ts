/**
 * The in-order half of a cleaning run (main thread): walks a batch's records through
 * the steps again using a worker's BatchOutcome — counting in/out/modified per step,
 * keeping the first dropped examples, and calling keyed filters' `decide` in stored
 * order (the only stateful part) — and emits the records that survive every step.
 * A record a worker dropped at step k is still decided by keyed filters before k, in
 * order, exactly as a one-thread run would.
 */
import { recordText, type RecordKind, type StoredRecord } from '../records/kinds.js';
import type { BatchOutcome } from './batch-run.js';
import { exampleOf, examplesPerOperator, type DroppedExample } from './clean-report.js';
import { isKeyedFilter } from './operator.js';
import type { Step } from './recipe-steps.js';

export function mergeBatch(records: StoredRecord[], outcome: BatchOutcome, steps: Step[], kind: RecordKind, emit: (record: StoredRecord) => void): void {
  const decideSeconds = new Float64Array(steps.length);
  for (const [index, record] of records.entries()) {
    let kept = true;
    for (const [stepIndex, step] of steps.entries()) {
      const report = step.report;
      report.in++;
      let drop: DroppedExample | undefined;
      if (outcome.droppedAt[index] === stepIndex) drop = outcome.drops[index];
      else if (isKeyedFilter(step.operator)) {
        const started = performance.now();
        const reason = step.operator.decide(outcome.keys[stepIndex]![index], record);
        decideSeconds[stepIndex] += performance.now() - started;
        if (reason !== undefined) drop = { ...exampleOf(record, reason, ''), excerpt: outcome.keyedExcerpts[stepIndex]![index] ?? excerptOf(kind, record) };
      }
      if (drop) {
        report.dropped++;
        if (report.examples.length < examplesPerOperator) report.examples.push(drop);
        kept = false;
        break;
      }
      report.out++;
      report.modified += outcome.modified[index * steps.length + stepIndex];
    }
    if (kept) emit(outcome.changed[index] ?? record);
  }
  for (const [stepIndex, step] of steps.entries()) step.report.seconds += outcome.seconds[stepIndex] + decideSeconds[stepIndex] / 1000;
}

function excerptOf(kind: RecordKind, record: StoredRecord): string {
  return exampleOf(record, '', recordText(kind, record)).excerpt;
}
