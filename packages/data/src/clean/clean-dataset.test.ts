import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry, resolveHome } from '@chainlm/core';
import { ingest } from '../ingest/ingest.js';
import { datasetExists, readDataset } from '../store/dataset-store.js';
import { readRecords } from '../store/read-records.js';
import { batchRunner } from './batch-run.js';
import { cleanDataset } from './clean-dataset.js';
import { loadRecipe, parseRecipe } from './recipe.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-data-clean-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const long = (seed: string) => Array.from({ length: 40 }, (_, index) => `${seed}${index}`).join(' ');

describe('cleanDataset', () => {
  it('runs a YAML recipe in order, reports in/out per operator and records lineage', async () => {
    const texts = [
      long('alpha'),
      long('alpha').toUpperCase(), // exact duplicate after lowercasing
      // Near duplicate: last word changed, true 5-shingle Jaccard 35/37 ≈ 0.95. (A middle
      // word touches 5 shingles, J ≈ 0.76 < the 0.8 threshold: a coin flip for MinHash.)
      long('alpha').replace(/alpha39$/, 'beta'),
      'too short',
      `${long('gamma')} write to me at gamma@example.com`,
      '床前明月光，疑是地上霜。举头望明月，低头思故乡。'.repeat(2),
    ];
    const file = join(root, 'corpus.jsonl');
    writeFileSync(file, texts.map((text) => JSON.stringify({ text })).join('\n'));
    await ingest({ home, dataset: 'raw', paths: [file] });
    const recipeFile = join(root, 'recipe.yaml');
    writeFileSync(
      recipeFile,
      ['name: test', 'operators:', '  - op: nfkc', '  - op: length', '    minChars: 20', '  - op: language', '    maxCjkRatio: 0.5', '  - op: pii', '  - op: exact-dedup', '  - op: near-dedup', '    threshold: 0.8', ''].join('\n'),
    );
    const report = await cleanDataset({ home, input: 'raw', output: 'clean', recipe: loadRecipe(recipeFile), recipeFile });
    expect(report.operators.map((step) => [step.op, step.in, step.out, step.modified])).toEqual([
      ['nfkc', 6, 6, 1], // full-width ， → ,
      ['length', 6, 5, 0],
      ['language', 5, 4, 0],
      ['pii', 4, 4, 1],
      ['exact-dedup', 4, 3, 0],
      ['near-dedup', 3, 2, 0],
    ]);
    expect(report.operators[1].examples[0]).toMatchObject({ line: 4, reason: '9 chars < minChars 20', excerpt: 'too short' });
    expect(report).toMatchObject({ read: 6, kept: 2, dropped: 4 });
    const kept: string[] = [];
    for await (const batch of readRecords(home, 'clean')) kept.push(...batch.map((record) => record.text as string));
    expect(kept).toEqual([long('alpha'), `${long('gamma')} write to me at [EMAIL]`]);
    const markdown = readFileSync(join(home.path('datasets', 'clean'), 'reports', 'clean.md'), 'utf8');
    expect(markdown).toContain('| 2 | length | 6 | 5 | 1 | 0 |');
    expect((await readDataset(home, 'clean')).derivedFrom).toEqual(['raw']);
    const lineage = await new Registry({ file: home.registryFile }).lineage('dataset:clean');
    expect(lineage?.up.map((entry) => entry.artifact.id)).toEqual(['dataset:raw']);
    await expect(cleanDataset({ home, input: 'raw', output: 'clean', recipe: loadRecipe(recipeFile) })).rejects.toThrow(/already exists/);
  });

  it('decides duplicates in stored order even when a later filter drops the first copy', async () => {
    // As in one sequential pass: exact-dedup keeps the first "abc" (length then drops it),
    // so the second "abc" is a duplicate of it.
    const file = join(root, 'order.jsonl');
    writeFileSync(file, ['abc', 'abc', 'a longer text that stays'].map((text) => JSON.stringify({ text })).join('\n'));
    await ingest({ home, dataset: 'order', paths: [file] });
    const recipe = parseRecipe({ operators: [{ op: 'exact-dedup' }, { op: 'length', minChars: 5 }] });
    const report = await cleanDataset({ home, input: 'order', output: 'order-clean', recipe, workers: 0 });
    expect(report.operators.map((step) => [step.op, step.in, step.out])).toEqual([
      ['exact-dedup', 3, 2],
      ['length', 2, 1],
    ]);
    expect(report.operators[0].examples[0]).toMatchObject({ line: 2, reason: `exact duplicate of ${file}:1`, excerpt: 'abc' });
  });

  it('leaves no output dataset when the pass fails half-way', async () => {
    const file = join(root, 'fragile.jsonl');
    writeFileSync(file, ['one text here', 'two text here'].map((text) => JSON.stringify({ text })).join('\n'));
    await ingest({ home, dataset: 'fragile', paths: [file] });
    const [part] = (await readDataset(home, 'fragile')).parts;
    writeFileSync(join(home.path('datasets', 'fragile'), part), 'PAR1 not really parquet');
    const recipe = parseRecipe({ operators: [{ op: 'nfkc' }] });
    await expect(cleanDataset({ home, input: 'fragile', output: 'fragile-clean', recipe, workers: 0 })).rejects.toThrow();
    expect(datasetExists(home, 'fragile-clean')).toBe(false);
    expect(readdirSync(home.path('datasets')).filter((entry) => entry.includes('fragile-clean'))).toEqual([]);
  });

  it('refuses an operator that neither keeps nor drops every record once', () => {
    const report = { op: 'lossy', params: {}, in: 0, out: 0, dropped: 0, modified: 0, examples: [], seconds: 0 };
    const run = batchRunner([{ operator: () => ({ kept: [], dropped: [], modified: 0 }), report }], 'text');
    const records = [{ id: 'a', text: 'x', meta: null, source: 'mem', line: 1 }];
    expect(() => run({ records })).toThrow('operator lossy returned 0 kept + 0 dropped for 1 records: each input record must be kept or dropped once');
  });

  it('rejects unknown operators and keys with the file and line', () => {
    const file = join(root, 'bad.yaml');
    writeFileSync(file, 'operators:\n  - op: nfkc\n  - op: length\n    minChar: 3\n');
    expect(() => loadRecipe(file)).toThrow(/bad\.yaml:4: operators\.1\.minChar: unknown key "minChar"/);
    writeFileSync(file, 'operators:\n  - op: lowercase\n');
    expect(() => loadRecipe(file)).toThrow(/bad\.yaml:2: operators\.0\.op/);
    expect(() => parseRecipe({ operators: [] })).toThrow(/operators/);
  });
});
