/** /api/evals: runs, the leaderboard (dataset × model), per-sample drill-down (comparing two runs: compare-routes.ts). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInside } from '@chainlm/core';
import { listRuns, presetNames, readRunSummary, resolveRunDir, type SummaryRow } from '@chainlm/eval';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { consoleErrors } from '../app/errors.js';
import { parseInput } from '../jobs/parse-job-spec.js';
import { readSamples, resultPairs } from '../readers/eval-samples.js';
import type { RouteContext } from './context.js';

const runName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'not an eval run name');
const samplesQuery = z.strictObject({
  model: z.string().min(1),
  dataset: z.string().min(1),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  filter: z.enum(['all', 'correct', 'wrong']).default('all'),
});

export interface LeaderboardCell extends SummaryRow {
  run: string;
  createdAt: string;
}

export async function evalRoutes(app: FastifyInstance, { home, options }: RouteContext): Promise<void> {
  const evalsDir = home.path('evals');
  const runDir = (run: string) => {
    parseInput(runName, run, 'run');
    return resolveRunDir(resolveInside(evalsDir, run, { field: 'run' }), evalsDir);
  };

  /** Built-in datasets; all but `arithmetic` read CHAINLM_EVAL_DATA_DIR (see `chainlm console --eval-data-dir`). */
  app.get('/api/eval-presets', async () => ({ presets: presetNames, dataDir: options.jobEnv.CHAINLM_EVAL_DATA_DIR ?? process.env.CHAINLM_EVAL_DATA_DIR ?? null }));

  app.get('/api/evals', async () => ({ runs: listRuns(evalsDir).reverse() }));

  /** The newest score of each (dataset, model, metric) over every run. */
  app.get('/api/evals/leaderboard', async () => {
    const cells = new Map<string, LeaderboardCell>();
    for (const summary of listRuns(evalsDir)) {
      for (const row of summary.rows) cells.set(`${row.dataset}\u0000${row.model}\u0000${row.metric}`, { ...row, run: summary.run, createdAt: summary.createdAt });
    }
    const rows = [...cells.values()];
    return { datasets: [...new Set(rows.map((row) => row.dataset))].sort(), models: [...new Set(rows.map((row) => row.model))].sort(), cells: rows };
  });

  app.get('/api/evals/:run', async (request) => {
    const dir = runDir((request.params as { run: string }).run);
    const configFile = join(dir, 'config.json');
    return { summary: readRunSummary(dir), pairs: resultPairs(dir), config: existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : null };
  });

  app.get('/api/evals/:run/samples', async (request) => {
    const dir = runDir((request.params as { run: string }).run);
    const query = parseInput(samplesQuery, request.query, 'query');
    const found = readSamples(dir, query.model, query.dataset, { model: 'query.model', dataset: 'query.dataset' });
    if (!found) throw consoleErrors.notFound(`results of ${query.model} on ${query.dataset}`, 'pick a model and dataset from the run summary');
    const kept = found.samples.filter((sample) => query.filter === 'all' || (query.filter === 'correct' ? sample.correct === true : sample.correct === false));
    return { metric: found.metric, score: found.score, total: kept.length, offset: query.offset, samples: kept.slice(query.offset, query.offset + query.limit) };
  });
}
