import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { parseCsv } from './csv.js';
import { chunkText, generateArithmetic } from './generated-loaders.js';
import { loaders } from './loader.js';

const shared = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared/datasets');
const hasShared = existsSync(shared);
if (!hasShared) console.warn(`skipping shared-dataset loader tests: ${shared} is absent`);

async function load(options: Record<string, unknown> & { type: string }) {
  const spec = loaders.get(options.type);
  return spec.create(spec.schema.parse(options), undefined).load();
}

describe('parseCsv', () => {
  it('handles quoted commas, newlines, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,"b, c","say ""hi""\nthere"\r\n1,2,3\n')).toEqual([
      ['a', 'b, c', 'say "hi"\nthere'],
      ['1', '2', '3'],
    ]);
    expect(parseCsv('x,,\n')).toEqual([['x', '', '']]);
  });

  it('reports an unterminated quote with its line', () => {
    expect(() => parseCsv('a,b\nc,"oops\nd', 'f.csv')).toThrow('f.csv:2: unterminated quoted field');
  });
});

describe('generic loaders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-loaders-'));

  it('jsonl reads splits (gzipped too) and names the bad line', async () => {
    writeFileSync(join(dir, 'a.jsonl'), '{"q":"1"}\n\n{"q":"2"}\n');
    writeFileSync(join(dir, 'b.jsonl.gz'), gzipSync('{"q":"3"}\n'));
    expect(await load({ type: 'jsonl', splits: { train: join(dir, 'a.jsonl'), test: join(dir, 'b.jsonl.gz') } })).toEqual({ train: [{ q: '1' }, { q: '2' }], test: [{ q: '3' }] });
    writeFileSync(join(dir, 'bad.jsonl'), '{"q":1}\n{oops\n');
    await expect(load({ type: 'jsonl', splits: { test: join(dir, 'bad.jsonl') } })).rejects.toThrow(`${join(dir, 'bad.jsonl')}:2: invalid JSON`);
    await expect(load({ type: 'jsonl', splits: { test: join(dir, 'missing.jsonl') } })).rejects.toMatchObject({ code: 'eval-dataset-missing' });
  });

  it('csv maps header or given columns and checks field counts', async () => {
    writeFileSync(join(dir, 'h.csv'), 'q,a\nx,1\n');
    expect(await load({ type: 'csv', splits: { test: join(dir, 'h.csv') } })).toEqual({ test: [{ q: 'x', a: '1' }] });
    expect(await load({ type: 'csv', header: false, columns: ['c1', 'c2'], splits: { test: join(dir, 'h.csv') } })).toEqual({ test: [{ c1: 'q', c2: 'a' }, { c1: 'x', c2: '1' }] });
    writeFileSync(join(dir, 'short.csv'), 'q,a\nx\n');
    await expect(load({ type: 'csv', splits: { test: join(dir, 'short.csv') } })).rejects.toThrow('record 2 has 1 fields, expected 2 (q, a)');
  });
});

describe('ceval loader', () => {
  it('reads dev/val CSVs with header, and a test split without answers', async () => {
    const root = mkdtempSync(join(tmpdir(), 'eval-ceval-'));
    const { mkdirSync } = await import('node:fs');
    for (const split of ['dev', 'val', 'test']) mkdirSync(join(root, split));
    writeFileSync(join(root, 'dev', 'law_dev.csv'), 'id,question,A,B,C,D,answer,explanation\n0,问题,甲,乙,丙,丁,C,因为\n');
    writeFileSync(join(root, 'val', 'law_val.csv'), 'id,question,A,B,C,D,answer\n0,q,a,b,c,d,A\n');
    writeFileSync(join(root, 'test', 'law_test.csv'), 'id,question,A,B,C,D\n0,q,a,b,c,d\n');
    const splits = await load({ type: 'ceval', path: root });
    expect(splits.dev[0]).toEqual({ subject: 'law', question: '问题', A: '甲', B: '乙', C: '丙', D: '丁', answer: 'C' });
    expect(splits.val[0].answer).toBe('A');
    expect(splits.test[0].answer).toBe('');
    writeFileSync(join(root, 'val', 'law_val.csv'), 'id,question,A,B,C,D,answer\n0,q,a,b,c,d,\n');
    await expect(load({ type: 'ceval', path: root })).rejects.toThrow(/law_val.csv: record 1 has answer ""/);
  });
});

describe('generated loaders', () => {
  it('arithmetic is deterministic by seed with disjoint splits', () => {
    const a = generateArithmetic({ seed: 3, trainSize: 50, testSize: 20, maxOperand: 20, operations: ['+', '-'] });
    const b = generateArithmetic({ seed: 3, trainSize: 50, testSize: 20, maxOperand: 20, operations: ['+', '-'] });
    expect(a).toEqual(b);
    const questions = new Set(a.train.map((row) => row.question));
    expect(a.test.some((row) => questions.has(row.question))).toBe(false);
    for (const row of a.test) {
      const [, x, op, y] = /^(\d+)([+-])(\d+)=$/.exec(String(row.question))!;
      expect(Number(row.answer)).toBe(op === '+' ? Number(x) + Number(y) : Number(x) - Number(y));
    }
    expect(generateArithmetic({ seed: 4, trainSize: 50, testSize: 20, maxOperand: 20, operations: ['+'] }).test).not.toEqual(a.test);
    expect(() => generateArithmetic({ seed: 0, trainSize: 100, testSize: 100, maxOperand: 5, operations: ['+'] })).toThrow(/raise maxOperand|only 36 exist/);
  });

  it('chunkText cuts at line ends', () => {
    expect(chunkText('aa\nbb\ncc\nd', 4)).toEqual(['aa\nbb\n', 'cc\nd']);
  });
});

describe.skipIf(!hasShared)('benchmark loaders on ../shared/datasets', () => {
  it('gsm8k: train and test with the #### gold extracted', async () => {
    const splits = await load({ type: 'gsm8k', path: join(shared, 'gsm8k') });
    expect(splits.train).toHaveLength(7473);
    expect(splits.test).toHaveLength(1319);
    expect(splits.test[0].gold).toBe('18');
  });

  it('mmlu (no header) and cmmlu (header) give question, A–D and the answer letter', async () => {
    const mmlu = await load({ type: 'mmlu', path: join(shared, 'mmlu') });
    expect(mmlu.test).toHaveLength(475);
    expect(mmlu.dev).toHaveLength(15);
    expect(mmlu.test[0]).toMatchObject({ subject: 'college_computer_science' });
    expect(Object.keys(mmlu.test[0])).toEqual(['subject', 'question', 'A', 'B', 'C', 'D', 'answer']);
    const one = await load({ type: 'mmlu', path: join(shared, 'mmlu'), subjects: ['machine_learning'] });
    expect(one.test).toHaveLength(105);
    const cmmlu = await load({ type: 'cmmlu', path: join(shared, 'cmmlu') });
    expect(cmmlu.test).toHaveLength(326);
    expect(cmmlu.dev[0]).toMatchObject({ subject: 'computer_science', question: '关系数据库中的数据逻辑结构是', answer: 'B' });
  });

  it('arc adds A–D columns and the answer letter; humaneval reads .jsonl.gz', async () => {
    const arc = await load({ type: 'arc', path: join(shared, 'arc'), subset: 'easy' });
    expect(arc.test).toHaveLength(2376);
    expect(arc.test[0]).toMatchObject({ question: 'Which statement best explains why photosynthesis is the foundation of most food webs?', answer: 'A', A: 'Sunlight is the source of energy for nearly all ecosystems.' });
    const gz = await load({ type: 'humaneval', path: join(shared, 'humaneval', 'HumanEval.jsonl.gz') });
    expect(gz.test).toHaveLength(164);
    expect(await load({ type: 'humaneval', path: join(shared, 'humaneval') })).toEqual(gz);
  });

  it('text-corpus takes the last 10% in passages', async () => {
    const corpus = await load({ type: 'text-corpus', path: join(shared, 'tinyshakespeare', 'input.txt'), chunkChars: 2048 });
    const total = corpus.test.reduce((sum, row) => sum + String(row.text).length, 0);
    expect(total).toBeGreaterThan(100_000);
    expect(total).toBeLessThan(115_000);
  });
});
