/**
 * The end-to-end check: a tiny real checkpoint evaluated on the shared
 * GSM8K, ARC, MMLU, HumanEval and tinyshakespeare subsets, in-process and through
 * chainlm-serve, with the same scores. Skipped when ../shared is absent.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, loadServedModel } from '@chainlm/server';
import { describe, expect, it } from 'vitest';
import { makeTinyModelFolder } from '../bench/tiny-model.js';
import { buildRunConfig } from '../config/run-config.js';
import { runEval } from './run-eval.js';

const shared = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared/datasets');
if (!existsSync(shared)) console.warn(`skipping the shared-benchmark eval: ${shared} is absent`);

describe.skipIf(!existsSync(shared))('tiny model on the shared benchmarks', () => {
  it('scores the same in-process and through chainlm-serve', async () => {
    const dir = await makeTinyModelFolder({ maxPositionEmbeddings: 2048 });
    const root = mkdtempSync(join(tmpdir(), 'eval-shared-'));
    const served = await loadServedModel(dir, { id: 'tiny' });
    const app = await createServer([served]);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const base = { presets: ['arc_easy', 'gsm8k', 'humaneval', 'mmlu', 'tinyshakespeare'], dataDir: shared, shots: 0, maxOutLen: 24, limit: 2, outputDir: join(root, 'runs'), registry: false };
    try {
      const http = await runEval(buildRunConfig({ ...base, models: [{ type: 'openai', abbr: 'tiny', baseUrl: `${address}/v1`, model: 'tiny' }] }));
      const local = await runEval(buildRunConfig({ ...base, models: [{ type: 'local', abbr: 'tiny', path: dir }] }));
      expect(local.rows.map((row) => `${row.dataset}:${row.metric}:${row.mode}`)).toEqual([
        'arc_easy:accuracy:ppl',
        'gsm8k:accuracy:gen',
        'humaneval:pass@1:gen',
        'mmlu:accuracy:ppl',
        'tinyshakespeare:perplexity:ll',
        'tinyshakespeare:bits_per_byte:ll',
      ]);
      for (const [index, row] of local.rows.entries()) expect(row.score).toBeCloseTo(http.rows[index].score, 4);
      // a random-init model is far from the uniform 1/vocab perplexity only by chance
      expect(local.rows[4].score).toBeGreaterThan(100);
    } finally {
      await app.close();
    }
  }, 120_000);
});
