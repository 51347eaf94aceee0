import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveHome } from '@chainlm/core';
import { ingest } from './ingest.js';
import { readRecords } from '../store/read-records.js';

const shared = resolve(import.meta.dirname, '../../../../../shared/datasets');
if (!existsSync(shared)) console.warn(`skipping shared-dataset ingest tests: ${shared} is absent`);

/** Counts from each folder's SOURCE.md (tinyshakespeare: blank-line-separated blocks). */
const cases: { name: string; paths: string[]; kind: string; records: number }[] = [
  { name: 'tinyshakespeare', paths: ['tinyshakespeare/input.txt'], kind: 'text', records: 7222 },
  { name: 'gsm8k', paths: ['gsm8k/test.jsonl', 'gsm8k/train.jsonl'], kind: 'qa', records: 1319 + 7473 },
  { name: 'humaneval', paths: ['humaneval/HumanEval.jsonl.gz'], kind: 'qa', records: 164 },
  { name: 'mmlu', paths: ['mmlu'], kind: 'mcq', records: 15 + 51 + 475 },
  { name: 'cmmlu', paths: ['cmmlu'], kind: 'mcq', records: 10 + 326 },
  { name: 'arc', paths: ['arc'], kind: 'mcq', records: 2376 + 1172 },
  { name: 'chinese-poetry', paths: ['chinese-poetry'], kind: 'text', records: 5849 },
  { name: 'instructions', paths: ['instructions'], kind: 'instruction', records: 175 + 252 + 999 + 1000 + 91 },
  { name: 'sharegpt', paths: ['sharegpt'], kind: 'chat', records: 500 + 1000 + 1000 },
];

describe.skipIf(!existsSync(shared))('ingest of the shared datasets', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-data-shared-'));
  const home = resolveHome({ CHAINLM_HOME: root });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const testCase of cases) {
    it(`${testCase.name} → ${testCase.kind}, ${testCase.records} records, none quarantined`, async () => {
      const result = await ingest({ home, dataset: testCase.name, paths: testCase.paths.map((path) => join(shared, path)) });
      expect(result.kind).toBe(testCase.kind);
      expect(result.quarantined).toBe(0);
      expect(result.ok).toBe(testCase.records);
      expect(result.read).toBe(result.ok + result.quarantined);
      let count = 0;
      for await (const batch of readRecords(home, testCase.name)) count += batch.length;
      expect(count).toBe(testCase.records);
    });
  }
});
