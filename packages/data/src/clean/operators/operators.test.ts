import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../records/kinds.js';
import { batchFunction, type OperatorContext } from '../operator.js';
import { operators } from './index.js';
import { redactPii } from './pii-redact.js';
import { repeatedNgramRatio } from './repetition-filter.js';

const context: OperatorContext = { kind: 'text', loadTokenCounter: async () => (text) => text.split(' ').length };

function records(...texts: string[]): StoredRecord[] {
  return texts.map((text, index) => ({ id: `r${index}`, text, meta: null, source: 'mem', line: index + 1 }));
}

async function run(op: string, params: Record<string, unknown>, texts: string[]) {
  const definition = operators.find((candidate) => candidate.name === op)!;
  const parsed = definition.params.parse(params);
  const apply = batchFunction(await definition.create(parsed as never, context));
  const output = apply(records(...texts));
  return { kept: output.kept.map((record) => record.text), dropped: output.dropped.map((entry) => entry.reason), modified: output.modified };
}

const piiDefaults = { emails: true, phones: true, ids: true, emailReplacement: '[EMAIL]', phoneReplacement: '[PHONE]', idReplacement: '[ID]' };

describe('cleaning operators', () => {
  it('nfkc folds compatibility characters and counts what it changed', async () => {
    expect(await run('nfkc', {}, ['ＡＢＣ １２３', '⼆维表格', 'plain'])).toEqual({ kept: ['ABC 123', '二维表格', 'plain'], dropped: [], modified: 2 });
  });

  it('strip-control removes controls and zero-width characters but keeps tab and newline', async () => {
    const result = await run('strip-control', {}, ['a\u0000b\u200bc\td\r\ne\u202e']);
    expect(result.kept).toEqual(['abc\td\ne']);
    expect((await run('strip-control', { keepCarriageReturn: true }, ['x\r\n'])).kept).toEqual(['x\r\n']);
  });

  it('length filters by code points and by tokens', async () => {
    expect(await run('length', { minChars: 3, maxChars: 5 }, ['ab', '诗经里', 'abcdef', '😀😀😀'])).toMatchObject({
      kept: ['诗经里', '😀😀😀'],
      dropped: ['2 chars < minChars 3', '6 chars > maxChars 5'],
    });
    expect((await run('length', { maxTokens: 2, tokenizer: 'whitespace' }, ['one two', 'one two three'])).dropped).toEqual(['3 tokens > maxTokens 2']);
    expect(operators.find((op) => op.name === 'length')!.params.safeParse({ maxTokens: 3 }).success).toBe(false);
  });

  it('language splits Chinese from English by CJK ratio', async () => {
    const texts = ['床前明月光，疑是地上霜。', 'The quick brown fox.', '用 Python 写一段排序代码', '12345'];
    expect((await run('language', { minCjkRatio: 0.5 }, texts)).kept).toEqual(['床前明月光，疑是地上霜。', '用 Python 写一段排序代码']);
    expect((await run('language', { maxCjkRatio: 0.1 }, texts)).kept).toEqual(['The quick brown fox.', '12345']);
  });

  it('repetition measures the repeated n-gram share', async () => {
    expect(repeatedNgramRatio('a b c d e f', 2, 'word')).toBe(0);
    expect(repeatedNgramRatio('spam spam spam spam spam', 2, 'word')).toBe(1);
    expect(repeatedNgramRatio('哈哈哈哈', 1, 'char')).toBe(1);
    const result = await run('repetition', { ngram: 2, maxRatio: 0.5 }, ['buy now buy now buy now buy now', 'a fine varied sentence here']);
    expect(result.kept).toEqual(['a fine varied sentence here']);
    expect(result.dropped[0]).toMatch(/^repeated 2-gram ratio 1\.00 > 0\.5$/);
  });

  it('pii redacts e-mails, phones and IDs but not years, prices or math', () => {
    expect(redactPii('mail bob.smith+x@example.co.uk now', piiDefaults)).toBe('mail [EMAIL] now');
    expect(redactPii('call 13812345678 or +1 415-555-0123 or (020) 7946 0958', piiDefaults)).toBe('call [PHONE] or [PHONE] or [PHONE]');
    expect(redactPii('id 11010519491231002X, ssn 078-05-1120', piiDefaults)).toBe('id [ID], ssn [ID]');
    const safe = 'In 1999 it cost $1,250.00; 16 - 3 - 4 = 9 and 2024-05-06.';
    expect(redactPii(safe, piiDefaults)).toBe(safe);
    expect(redactPii('a@b.io', { ...piiDefaults, emails: false })).toBe('a@b.io');
  });

  it('exact-dedup keeps the first of texts equal after normalisation', async () => {
    const result = await run('exact-dedup', {}, ['Hello  World', 'hello world', 'ＨＥＬＬＯ world ', 'other']);
    expect(result.kept).toEqual(['Hello  World', 'other']);
    expect(result.dropped).toEqual(['exact duplicate of mem:1', 'exact duplicate of mem:1']);
  });

  it('near-dedup drops a lightly edited copy and keeps distinct texts', async () => {
    const base = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');
    const edited = base.replace('word60', 'changed');
    const other = Array.from({ length: 120 }, (_, index) => `other${index}`).join(' ');
    const result = await run('near-dedup', { threshold: 0.8 }, [base, other, edited]);
    expect(result.kept).toEqual([base, other]);
    expect(result.dropped[0]).toMatch(/^near-duplicate \(≈0\.\d\d\) of mem:1$/);
    expect(operators.find((op) => op.name === 'near-dedup')!.params.safeParse({ numPerm: 100, bands: 16 }).success).toBe(false);
  });
});
