/**
 * Two loaders that need no benchmark files:
 *  - text-corpus: a plain-text file cut into passages of about `chunkChars`
 *    characters at line ends, from the fraction range [start, end) of the file
 *    (default the last 10%, nanoGPT's validation convention); rows {text}.
 *  - arithmetic: `a+b=` / `a-b=` problems generated from a seed (same seed, same
 *    set; train and test disjoint), small enough for a tiny model to learn;
 *    rows {question: "12+7=", answer: "19"}.
 */
import { mulberry32 } from '@chainlm/core';
import { z } from 'zod';
import { positiveInt } from '../config/component.js';
import { EvalError } from '../errors.js';
import type { Row } from '../types.js';
import { loaders, type DatasetLoader } from './loader.js';
import { readText } from './read-files.js';

export const textCorpusSchema = z.strictObject({
  type: z.literal('text-corpus'),
  path: z.string(),
  chunkChars: positiveInt.default(1024),
  start: z.number().min(0).max(1).default(0.9),
  end: z.number().min(0).max(1).default(1),
});

/** Passages of whole lines, each at least `chunkChars` long except the last. */
export function chunkText(text: string, chunkChars: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split(/(?<=\n)/)) {
    current += line;
    if (current.length >= chunkChars) {
      chunks.push(current);
      current = '';
    }
  }
  if (current.trim() !== '') chunks.push(current);
  return chunks;
}

loaders.register('text-corpus', {
  type: 'text-corpus',
  schema: textCorpusSchema,
  create: (options: z.infer<typeof textCorpusSchema>): DatasetLoader => ({
    load: async () => {
      if (options.start >= options.end) {
        throw new EvalError('eval-dataset-format', `text-corpus: start (${options.start}) must be below end (${options.end})`, 'e.g. start: 0.9, end: 1');
      }
      const text = readText(options.path, 'text corpus');
      const from = text.lastIndexOf('\n', Math.floor(text.length * options.start)) + 1;
      const to = options.end >= 1 ? text.length : text.lastIndexOf('\n', Math.floor(text.length * options.end)) + 1;
      return { test: chunkText(text.slice(from, to), options.chunkChars).map((passage) => ({ text: passage })) };
    },
  }),
});

export const arithmeticSchema = z.strictObject({
  type: z.literal('arithmetic'),
  seed: z.number().int().default(0),
  trainSize: z.number().int().nonnegative().default(1000),
  testSize: positiveInt.default(100),
  /** Operands are drawn from [0, maxOperand]. */
  maxOperand: positiveInt.default(99),
  operations: z.array(z.enum(['+', '-'])).min(1).default(['+', '-']),
});
export type ArithmeticOptions = z.infer<typeof arithmeticSchema>;

export function generateArithmetic(options: Omit<ArithmeticOptions, 'type'>): { train: Row[]; test: Row[] } {
  const space = (options.maxOperand + 1) ** 2 * options.operations.length;
  if (options.trainSize + options.testSize > space / 2) {
    throw new EvalError(
      'eval-dataset-format',
      `arithmetic: ${options.trainSize + options.testSize} problems asked but only ${space} exist with maxOperand ${options.maxOperand}`,
      'raise maxOperand or lower trainSize/testSize',
    );
  }
  const random = mulberry32(options.seed);
  const seen = new Set<string>();
  const make = (count: number): Row[] => {
    const rows: Row[] = [];
    while (rows.length < count) {
      const a = Math.floor(random() * (options.maxOperand + 1));
      const b = Math.floor(random() * (options.maxOperand + 1));
      const operation = options.operations[Math.floor(random() * options.operations.length)];
      const question = `${a}${operation}${b}=`;
      if (seen.has(question)) continue;
      seen.add(question);
      rows.push({ question, answer: String(operation === '+' ? a + b : a - b) });
    }
    return rows;
  };
  const test = make(options.testSize);
  return { train: make(options.trainSize), test };
}

loaders.register('arithmetic', {
  type: 'arithmetic',
  schema: arithmeticSchema,
  create: (options: ArithmeticOptions): DatasetLoader => ({ load: async () => generateArithmetic(options) }),
});
