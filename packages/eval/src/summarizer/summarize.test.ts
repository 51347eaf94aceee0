import { describe, expect, it } from 'vitest';
import { summaryTable, toMarkdown, truncationNotes } from './summarize.js';
import type { SummaryRow } from '../types.js';

const row = (model: string, score: number, extra: Partial<SummaryRow> = {}): SummaryRow => ({ dataset: 'gsm8k', model, metric: 'accuracy', score, mode: 'gen', promptHash: 'abc123', ...extra });

describe('summary tables', () => {
  it('lays datasets down and models across', () => {
    expect(toMarkdown(summaryTable([row('a', 50), row('b', 75.5)]))).toBe(
      ['| dataset | promptHash | metric   | mode | a     | b     |', '| ------- | ---------- | -------- | ---- | ----- | ----- |', '| gsm8k   | abc123     | accuracy | gen  | 50.00 | 75.50 |'].join('\n'),
    );
  });

  it('says which dataset × model had prompts cut to fit the context, once each', () => {
    const rows = [row('a', 50, { truncated: 3 }), row('a', 1.2, { metric: 'bleu', truncated: 3 }), row('b', 75), row('c', 10, { truncated: 1 })];
    expect(truncationNotes(rows)).toEqual([
      "note: gsm8k × a: 3 prompts were longer than the model's context and cut from the left (lm-eval's rule)",
      "note: gsm8k × c: 1 prompt was longer than the model's context and cut from the left (lm-eval's rule)",
    ]);
    expect(truncationNotes([row('b', 75)])).toEqual([]);
  });
});
