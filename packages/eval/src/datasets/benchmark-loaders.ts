/**
 * Loaders for the benchmark layouts in ../shared/datasets:
 *  - gsm8k:     DIR/{train,test}.jsonl, {question, answer ("... #### n")}; adds `gold` (n)
 *  - arc:       DIR/arc_<subset>.jsonl, {query, choices[], gold}; adds `question`
 *               (query without "Question: "), `A`.. columns and the `answer` letter
 *  - humaneval: a .jsonl or .jsonl.gz file (or a DIR holding HumanEval.jsonl[.gz])
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EvalError } from '../errors.js';
import { extractGsm8kAnswer } from '../postprocessors/extract-gsm8k-answer.js';
import type { Row } from '../types.js';
import { loaders, type DatasetLoader } from './loader.js';
import { readJsonl, requireColumns } from './read-files.js';

export const optionLetters = 'ABCDEFGHIJ';

loaders.register('gsm8k', {
  type: 'gsm8k',
  schema: z.strictObject({ type: z.literal('gsm8k'), path: z.string() }),
  create: (options: { type: 'gsm8k'; path: string }): DatasetLoader => ({
    load: async () => {
      const read = (split: string) => {
        const file = join(options.path, `${split}.jsonl`);
        const rows = readJsonl(file, `gsm8k ${split}`);
        requireColumns(rows, ['question', 'answer'], file);
        return rows.map((row) => ({ ...row, gold: extractGsm8kAnswer(String(row.answer)) }));
      };
      return { train: read('train'), test: read('test') };
    },
  }),
});

/** Adds A, B, ... columns for a `choices` array. */
export function withOptionColumns(row: Row, choices: readonly unknown[]): Row {
  if (choices.length > optionLetters.length) {
    throw new EvalError('eval-dataset-format', `a question has ${choices.length} choices; at most ${optionLetters.length} are supported`, 'split the question');
  }
  return { ...row, ...Object.fromEntries(choices.map((choice, index) => [optionLetters[index], String(choice)])) };
}

loaders.register('arc', {
  type: 'arc',
  schema: z.strictObject({ type: z.literal('arc'), path: z.string(), subset: z.enum(['easy', 'challenge']).default('easy') }),
  create: (options: { type: 'arc'; path: string; subset: 'easy' | 'challenge' }): DatasetLoader => ({
    load: async () => {
      const file = options.path.endsWith('.jsonl') ? options.path : join(options.path, `arc_${options.subset}.jsonl`);
      const rows = readJsonl(file, `arc ${options.subset}`);
      requireColumns(rows, ['query', 'choices', 'gold'], file);
      const test = rows.map((row, index) => {
        const choices = row.choices;
        const gold = row.gold;
        if (!Array.isArray(choices) || typeof gold !== 'number' || gold < 0 || gold >= choices.length) {
          throw new EvalError('eval-dataset-format', `${file}: record ${index + 1} needs a choices array and a gold index inside it`, 'fix the record');
        }
        const question = String(row.query).replace(/^Question:\s*/, '');
        return withOptionColumns({ ...row, question, answer: optionLetters[gold] }, choices);
      });
      return { test };
    },
  }),
});

loaders.register('humaneval', {
  type: 'humaneval',
  schema: z.strictObject({ type: z.literal('humaneval'), path: z.string() }),
  create: (options: { type: 'humaneval'; path: string }): DatasetLoader => ({
    load: async () => {
      let file = options.path;
      if (existsSync(file) && statSync(file).isDirectory()) {
        file = [join(file, 'HumanEval.jsonl'), join(file, 'HumanEval.jsonl.gz')].find((candidate) => existsSync(candidate)) ?? join(file, 'HumanEval.jsonl');
      }
      const rows = readJsonl(file, 'humaneval');
      requireColumns(rows, ['task_id', 'prompt', 'test', 'entry_point'], file);
      return { test: rows };
    },
  }),
});
