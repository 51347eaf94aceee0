/**
 * MMLU-style multiple choice: rows {subject, question, A, B, C, D, answer}.
 *  - mmlu:  DIR/<split>/<subject>_<split>.csv, no header (question, A-D, letter);
 *           splits dev (5-shot source), val, test.
 *  - cmmlu: DIR/<split>/<subject>.csv with header `,Question,A,B,C,D,Answer`;
 *           splits dev, test.
 *  - ceval: DIR/<split>/<subject>_<split>.csv with header `id,question,A,B,C,D,answer[,explanation]`;
 *           splits dev, val, test (C-Eval's public test split has no answers: use val).
 * `subjects` defaults to every subject found in the test folder, in sorted order.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EvalError } from '../errors.js';
import type { Row } from '../types.js';
import { readCsvRows, loaders, type DatasetLoader } from './loader.js';
import { requireFile } from './read-files.js';

const schemaFor = <T extends string>(type: T) =>
  z.strictObject({ type: z.literal(type), path: z.string(), subjects: z.array(z.string()).min(1).optional() });

function listSubjects(directory: string, suffix: string): string[] {
  requireFile(directory, 'subject folder');
  return readdirSync(directory)
    .filter((name) => name.endsWith(suffix))
    .map((name) => name.slice(0, -suffix.length))
    .sort();
}

function checkAnswers(rows: Row[], file: string): Row[] {
  rows.forEach((row, index) => {
    if (!/^[A-D]$/.test(String(row.answer).trim())) {
      throw new EvalError('eval-dataset-format', `${file}: record ${index + 1} has answer "${String(row.answer)}", expected A, B, C or D`, 'fix the answer column');
    }
  });
  return rows.map((row) => ({ ...row, answer: String(row.answer).trim() }));
}

loaders.register('mmlu', {
  type: 'mmlu',
  schema: schemaFor('mmlu'),
  create: (options: { type: 'mmlu'; path: string; subjects?: string[] }): DatasetLoader => ({
    load: async () => {
      const subjects = options.subjects ?? listSubjects(join(options.path, 'test'), '_test.csv');
      const splits: Record<string, Row[]> = {};
      for (const split of ['dev', 'val', 'test']) {
        if (split !== 'test' && !existsSync(join(options.path, split))) continue;
        splits[split] = subjects.flatMap((subject) => {
          const file = join(options.path, split, `${subject}_${split}.csv`);
          const rows = readCsvRows(file, false, ['question', 'A', 'B', 'C', 'D', 'answer']);
          return checkAnswers(rows.map((row) => ({ subject, ...row })), file);
        });
      }
      return splits;
    },
  }),
});

loaders.register('cmmlu', {
  type: 'cmmlu',
  schema: schemaFor('cmmlu'),
  create: (options: { type: 'cmmlu'; path: string; subjects?: string[] }): DatasetLoader => ({
    load: async () => {
      const subjects = options.subjects ?? listSubjects(join(options.path, 'test'), '.csv');
      const splits: Record<string, Row[]> = {};
      for (const split of ['dev', 'test']) {
        if (split !== 'test' && !existsSync(join(options.path, split))) continue;
        splits[split] = subjects.flatMap((subject) => {
          const file = join(options.path, split, `${subject}.csv`);
          const rows = readCsvRows(file, true).map((row) => ({
            subject,
            question: row.Question,
            A: row.A,
            B: row.B,
            C: row.C,
            D: row.D,
            answer: row.Answer,
          }));
          return checkAnswers(rows, file);
        });
      }
      return splits;
    },
  }),
});

loaders.register('ceval', {
  type: 'ceval',
  schema: schemaFor('ceval'),
  create: (options: { type: 'ceval'; path: string; subjects?: string[] }): DatasetLoader => ({
    load: async () => {
      const subjects = options.subjects ?? listSubjects(join(options.path, 'val'), '_val.csv');
      const splits: Record<string, Row[]> = {};
      for (const split of ['dev', 'val', 'test']) {
        if (!existsSync(join(options.path, split))) continue;
        splits[split] = subjects.flatMap((subject) => {
          const file = join(options.path, split, `${subject}_${split}.csv`);
          const rows = readCsvRows(file, true).map((row) => ({ subject, question: row.question, A: row.A, B: row.B, C: row.C, D: row.D, answer: row.answer ?? '' }));
          return split === 'test' && rows.every((row) => row.answer === '') ? rows : checkAnswers(rows, file);
        });
      }
      return splits;
    },
  }),
});
