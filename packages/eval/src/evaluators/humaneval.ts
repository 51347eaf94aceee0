/**
 * HumanEval pass@k: each completion is run as `prompt + completion + test +
 * check(entry_point)` in @chainlm/sandbox's jail (python-sandbox.ts); a sample
 * passes when the program exits 0. A machine without a jail fails the run up front. The score is 100 × the mean unbiased pass@k over problems for the
 * first k listed; every k is in `extra` as `pass@k`.
 */
import { z } from 'zod';
import { positiveInt } from '../config/component.js';
import { EvalError } from '../errors.js';
import { mapWithLimit } from '../util/pool.js';
import { evaluators } from './evaluator.js';
import { passAtK } from './pass-at-k.js';
import { assertPythonSandbox, runPythonSandboxed } from './python-sandbox.js';

export const humanevalOptionsSchema = z.strictObject({
  type: z.literal('humaneval'),
  k: z.array(positiveInt).min(1).default([1]),
  timeoutMs: positiveInt.default(5000),
  memoryMb: positiveInt.default(512),
  /** Programs run at once. */
  concurrency: positiveInt.default(2),
  /** Run completions on the host without a jail: unsafe, warns every program. */
  unsafeHostPython: z.boolean().default(false),
});
export type HumanevalOptions = z.infer<typeof humanevalOptionsSchema>;

export function humanevalProgram(row: Readonly<Record<string, unknown>>, completion: string): string {
  for (const column of ['prompt', 'test', 'entry_point']) {
    if (typeof row[column] !== 'string') {
      throw new EvalError('eval-dataset-format', `humaneval: row has no string column "${column}"`, 'load HumanEval rows ({task_id, prompt, test, entry_point})');
    }
  }
  return `${row.prompt}${completion}\n\n${row.test}\n\ncheck(${row.entry_point})\n`;
}

evaluators.register('humaneval', {
  type: 'humaneval',
  schema: humanevalOptionsSchema,
  create: (options: HumanevalOptions) => ({
    metric: `pass@${options.k[0]}`,
    async evaluate(samples) {
      const jobs = samples.flatMap((sample, position) => {
        const completions = Array.isArray(sample.prediction) ? sample.prediction : [sample.prediction ?? ''];
        return completions.map((completion) => ({ position, program: humanevalProgram(sample.row, completion) }));
      });
      assertPythonSandbox(options);
      const outcomes = await mapWithLimit(jobs, options.concurrency, (job) =>
        runPythonSandboxed(job.program, { timeoutMs: options.timeoutMs, memoryMb: options.memoryMb, unsafeHostPython: options.unsafeHostPython }),
      );
      const perSample = samples.map(() => [] as string[]);
      jobs.forEach((job, index) => perSample[job.position].push(outcomes[index].status));
      const passAt = new Map<number, number[]>(options.k.map((k) => [k, []]));
      const details = samples.map((sample, position) => {
        const statuses = perSample[position];
        const passed = statuses.filter((status) => status === 'passed').length;
        for (const k of options.k) passAt.get(k)!.push(passAtK(statuses.length, passed, k));
        return {
          index: sample.index,
          prediction: sample.prediction,
          reference: sample.row.task_id ?? sample.reference,
          correct: passed > 0,
          score: passAtK(statuses.length, passed, options.k[0]),
          passed,
          n: statuses.length,
          statuses,
        };
      });
      const mean = (values: number[]) => (values.length === 0 ? 0 : (100 * values.reduce((sum, value) => sum + value, 0)) / values.length);
      return {
        metric: `pass@${options.k[0]}`,
        score: mean(passAt.get(options.k[0])!),
        details,
        extra: Object.fromEntries(options.k.map((k) => [`pass@${k}`, mean(passAt.get(k)!)])),
      };
    },
  }),
});
