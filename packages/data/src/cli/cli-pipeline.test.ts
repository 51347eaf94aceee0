/**
 * clean, dedup and tokenize through the built CLI (dist/), where work really runs on
 * worker threads, checked against the same commands with --workers 0 (this thread):
 * the outputs must be identical. The corpus spans two read batches (DuckDB hands out
 * 2,048 rows at a time) so they go to different workers, and planted duplicates sit
 * in the later batch, their originals in the first.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../dist/bin/chainlm-data.js');
const gpt2 = resolve(import.meta.dirname, '../../../../../shared/models/gpt2-tokenizer');
if (!existsSync(bin)) console.warn(`skipping CLI pipeline tests: ${bin} is not built (run npm test, which builds first)`);
if (!existsSync(gpt2)) console.warn(`skipping CLI tokenize tests: ${gpt2} is absent`);

/** 2,610 documents: 2,300 random, 100 upper-cased copies, 100 near copies (last word changed), 60 too short, 50 exact copies; 50 carry an e-mail. */
function corpus(): string[] {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const words = Array.from({ length: 2000 }, (_, index) => `w${index.toString(36)}`);
  const texts = Array.from({ length: 2300 }, () => Array.from({ length: 30 + Math.floor(next() * 30) }, () => words[Math.floor(next() * words.length)]).join(' '));
  for (let index = 0; index < 50; index++) texts[index * 7] += ` mail me at user${index}@example.com`;
  for (let index = 0; index < 100; index++) texts.push(texts[index * 3].toUpperCase());
  for (let index = 0; index < 100; index++) texts.push(texts[index * 5 + 1].replace(/\S+$/, 'changed'));
  for (let index = 0; index < 60; index++) texts.push(`short ${index}`);
  for (let index = 0; index < 50; index++) texts.push(texts[2000 + index]);
  return texts;
}

describe.skipIf(!existsSync(bin))('chainlm-data clean, dedup, tokenize (from dist)', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-data-cli-pipe-'));
  const env = { ...process.env, CHAINLM_HOME: join(root, 'home') };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, cwd: root, maxBuffer: 64 << 20 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  async function json(...args: string[]): Promise<Record<string, any>> {
    const result = await cli(...args, '--json', '--quiet');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  }

  async function exported(name: string): Promise<string> {
    const out = join(root, `${name}.jsonl`);
    expect((await cli('export', name, '--to', 'jsonl', '--out', out)).code).toBe(0);
    return readFileSync(out, 'utf8');
  }

  const withoutSeconds = (report: Record<string, any>) => ({ ...report, seconds: 0, dataset: '', operators: report.operators.map((step: Record<string, unknown>) => ({ ...step, seconds: 0 })) });

  it('clean and dedup give the same records and reports on 2 workers as in one thread', async () => {
    writeFileSync(join(root, 'corpus.jsonl'), corpus().map((text) => JSON.stringify({ text })).join('\n'));
    expect(await json('ingest', join(root, 'corpus.jsonl'), '--dataset', 'raw')).toMatchObject({ read: 2610, ok: 2610 });
    writeFileSync(join(root, 'recipe.yaml'), 'operators:\n  - op: nfkc\n  - op: length\n    minChars: 20\n  - op: pii\n  - op: exact-dedup\n');

    const cleaned = await json('clean', 'raw', '--recipe', 'recipe.yaml', '--out', 'clean', '--workers', '2');
    expect(cleaned.operators.map((step: Record<string, number>) => [step.op, step.in, step.out, step.modified])).toEqual([
      ['nfkc', 2610, 2610, 0],
      ['length', 2610, 2550, 0],
      ['pii', 2550, 2550, 65], // 50 originals + 15 upper-case copies of them (multiples of 21)
      ['exact-dedup', 2550, 2400, 0],
    ]);
    expect(cleaned.operators[3].examples[0].reason).toBe('exact duplicate of ' + join(root, 'corpus.jsonl') + ':1');
    const cleanedHere = await json('clean', 'raw', '--recipe', 'recipe.yaml', '--out', 'clean0', '--workers', '0');
    expect(withoutSeconds(cleanedHere)).toEqual(withoutSeconds(cleaned));
    expect(await exported('clean0')).toBe(await exported('clean'));
    expect(await exported('clean')).toContain('mail me at [EMAIL]');

    const deduped = await json('dedup', 'clean', '--out', 'dedup', '--threshold', '0.8', '--workers', '2');
    expect(deduped.operators.map((step: Record<string, number>) => [step.op, step.dropped])).toEqual([
      ['exact-dedup', 0],
      ['near-dedup', 100],
    ]);
    const dedupedHere = await json('dedup', 'clean', '--out', 'dedup0', '--threshold', '0.8', '--workers', '0');
    expect(withoutSeconds(dedupedHere)).toEqual(withoutSeconds(deduped));
    expect(await exported('dedup0')).toBe(await exported('dedup'));
    expect((await json('stats', 'dedup')).records).toBe(2300);
  });

  it.skipIf(!existsSync(gpt2))('tokenize writes the same shards on 2 workers as in one thread', async () => {
    const args = ['tokenize', 'dedup', '--tokenizer', gpt2, '--seq-len', '128', '--rows-per-shard', '256', '--validation', '0.1'];
    const threaded = await json(...args, '--out', 'tok', '--workers', '2');
    const here = await json(...args, '--out', 'tok0', '--workers', '0');
    expect(threaded.splits.train.files.length).toBeGreaterThan(2);
    expect({ ...threaded, tokenizer: null }).toEqual({ ...here, tokenizer: null });
    const shardFiles = (name: string) => readdirSync(join(env.CHAINLM_HOME, 'datasets', name, 'shards')).sort();
    expect(shardFiles('tok')).toEqual(shardFiles('tok0'));
    for (const file of shardFiles('tok')) {
      const read = (name: string) => readFileSync(join(env.CHAINLM_HOME, 'datasets', name, 'shards', file));
      expect(read('tok').equals(read('tok0'))).toBe(true);
    }
    expect(await json('stats', 'tok')).toMatchObject({ kind: 'tokenized', tokens: threaded.tokens, shards: { seqLen: 128, rows: threaded.rows } });
  });

  it('checks tokenize, clean and dedup flags (exit code 2, the flag named)', async () => {
    const tokenize = ['tokenize', 'dedup', '--tokenizer', gpt2, '--out', 'never'];
    const cases: [string[], RegExp][] = [
      [[...tokenize, '--seq-len', '1'], /--seq-len must be an integer ≥ 2, got 1/],
      [[...tokenize, '--seq-len', '8.5'], /--seq-len must be an integer ≥ 2/],
      [[...tokenize, '--validation', '1'], /--validation must be in \[0, 1\), got 1/],
      [[...tokenize, '--rows-per-shard', '0'], /--rows-per-shard must be a positive integer/],
      [[...tokenize, '--workers=-1'], /tokenize: --workers must be an integer ≥ 0, got -1/],
      [['clean', 'raw', '--recipe', 'recipe.yaml', '--out', 'never', '--workers', '1.5'], /clean: --workers must be an integer ≥ 0, got 1.5/],
      [['dedup', 'clean', '--out', 'never', '--workers=-2'], /dedup: --workers must be an integer ≥ 0, got -2/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(join(env.CHAINLM_HOME, 'datasets', 'never'))).toBe(false);
  });
});
