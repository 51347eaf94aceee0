/**
 * The Done-when golden, end to end through the built binary:
 *   chainlm-model import-llama2c stories260K.bin --out DIR
 *   chainlm-model generate DIR --prompt-ids 1 --temperature 0 --max-new-tokens N --json
 * must print exactly golden.json's greedy ids (generated ids only; run.c's `-n 200`
 * yields 200 of them, the BOS prompt is not included) and text null (no tokenizer).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const stories = resolve(repoRoot, '../shared/models/stories260K');
const binary = join(repoRoot, 'packages/model/dist/bin/chainlm-model.js');

function run(...argv: string[]) {
  const result = spawnSync(process.execPath, [binary, ...argv], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(skipUnlessPresent(stories, 'the chainlm-model golden runs ../shared/models/stories260K (check ../shared out beside the repo)'))('stories260K golden through the chainlm-model binary', () => {
  const out = mkdtempSync(join(tmpdir(), 'chainlm-model-golden-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  beforeAll(() => {
    // `npm test` builds first; this keeps `npx vitest run packages/model` honest too
    // (incremental: a no-op when dist/ is current).
    spawnSync('npx', ['tsc', '-b', 'packages/model'], { cwd: repoRoot, stdio: 'ignore' });
    if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`npx tsc -b packages/model\` from the repo root`);
  });

  it('import-llama2c then greedy generate reproduces golden.json exactly', () => {
    const golden = JSON.parse(readFileSync(join(stories, 'golden.json'), 'utf8')) as { prompt_ids: number[]; temperature: number; greedy_ids: number[] };
    expect(golden.prompt_ids).toEqual([1]);
    const model = join(out, 'stories260K');
    const imported = run('import-llama2c', join(stories, 'stories260K.bin'), '--out', model);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const generated = run('generate', model, '--prompt-ids', golden.prompt_ids.join(','), '--temperature', String(golden.temperature), '--max-new-tokens', String(golden.greedy_ids.length), '--json');
    expect(generated.code, generated.stderr).toBe(0);
    expect(JSON.parse(generated.stdout)).toEqual({ ids: golden.greedy_ids, text: null });
  });
});
