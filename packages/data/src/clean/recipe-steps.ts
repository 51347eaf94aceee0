/**
 * A recipe instantiated: one operator per step, with the step's report. Built the same
 * way on the main thread (which keeps keyed filters' state and the reports) and in
 * each clean worker (which runs batch functions and keys).
 */
import { resolve } from 'node:path';
import type { RecordKind } from '../records/kinds.js';
import { loadTokenCounter } from '../tokenize/load-tokenizer.js';
import type { OperatorReport } from './clean-report.js';
import type { Operator, OperatorContext } from './operator.js';
import { operators } from './operators/index.js';
import type { Recipe } from './recipe.js';

export interface Step {
  operator: Operator;
  report: OperatorReport;
}

/** What a clean worker needs to build the same steps (workerData: plain data only). */
export interface StepsSetup {
  kind: RecordKind;
  recipe: Recipe;
  /** Folder that relative paths in the recipe (tokenizers) are resolved against. */
  baseDir: string;
}

export function operatorContext(setup: StepsSetup): OperatorContext {
  return { kind: setup.kind, loadTokenCounter: (path) => loadTokenCounter(resolve(setup.baseDir, path)) };
}

export async function instantiate(setup: StepsSetup): Promise<Step[]> {
  const context = operatorContext(setup);
  const steps: Step[] = [];
  for (const { op, ...params } of setup.recipe.operators) {
    const definition = operators.find((candidate) => candidate.name === op)!;
    const operator = await definition.create(params as never, context);
    steps.push({ operator, report: { op, params, in: 0, out: 0, dropped: 0, modified: 0, examples: [], seconds: 0 } });
  }
  return steps;
}
