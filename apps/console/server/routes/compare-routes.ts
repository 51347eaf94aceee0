/**
 * /api/compare: two runs side by side. Eval runs: per-dataset scores with the delta
 * (`/api/compare`), and a per-sample diff on one dataset — what A got right and B
 * wrong and the reverse, with counts (`/api/compare/samples`). Training runs: both
 * runs' loss curves for one overlaid chart (`/api/compare/training`).
 */
import { resolveInside } from '@chainlm/core';
import { compareRows, readRunSummary, resolveRunDir, type SummaryRow } from '@chainlm/eval';
import { RunStore } from '@chainlm/train';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { consoleErrors } from '../app/errors.js';
import { parseInput } from '../jobs/parse-job-spec.js';
import { readSamples, resultPairs } from '../readers/eval-samples.js';
import { diffSamples, sampleOutcomes } from '../readers/sample-diff.js';
import { lossCurves } from '../readers/loss-curves.js';
import type { RouteContext } from './context.js';

const runName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'not a run name');
const compareQuery = z.strictObject({ a: runName, b: runName });
const samplesQuery = z.strictObject({
  a: runName,
  b: runName,
  dataset: z.string().min(1),
  /** Needed only when a run has results of several models on the dataset. */
  modelA: z.string().min(1).optional(),
  modelB: z.string().min(1).optional(),
  filter: z.enum(['all', ...sampleOutcomes]).default('all'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const trainingQuery = z.strictObject({ a: runName, b: runName, maxPoints: z.coerce.number().int().min(10).max(100_000).default(2000) });

export async function compareRoutes(app: FastifyInstance, { home }: RouteContext): Promise<void> {
  const evalsDir = home.path('evals');
  const evalRun = (run: string, field: string) => resolveRunDir(resolveInside(evalsDir, run, { field }), evalsDir);

  /** The one model of `run` with results on `dataset`, or the one asked for. */
  const modelOf = (dir: string, run: string, dataset: string, asked: string | undefined, field: string): string => {
    const models = resultPairs(dir).filter((pair) => pair.dataset === dataset).map((pair) => pair.model);
    if (asked !== undefined) return asked;
    if (models.length === 1) return models[0];
    if (models.length === 0) throw consoleErrors.notFound(`results on "${dataset}" in eval run "${run}"`, 'pick a dataset both runs evaluated (a row of the comparison)');
    throw consoleErrors.badRequest(`query.${field}`, `eval run "${run}" has results of several models on "${dataset}": ${models.join(', ')}`, `pass ${field}=<one of them>`);
  };

  /** Two runs side by side; runs of one model each are compared dataset by dataset whatever the model names. */
  app.get('/api/compare', async (request) => {
    const { a, b } = parseInput(compareQuery, request.query, 'query');
    const [summaryA, summaryB] = [readRunSummary(evalRun(a, 'query.a')), readRunSummary(evalRun(b, 'query.b'))];
    const single = (rows: SummaryRow[]) => new Set(rows.map((row) => row.model)).size === 1;
    const acrossModels = single(summaryA.rows) && single(summaryB.rows) && summaryA.rows[0]?.model !== summaryB.rows[0]?.model;
    const strip = (rows: SummaryRow[]) => (acrossModels ? rows.map((row) => ({ ...row, model: '*' })) : rows);
    return { a: summaryA, b: summaryB, acrossModels, rows: compareRows(strip(summaryA.rows), strip(summaryB.rows)) };
  });

  app.get('/api/compare/samples', async (request) => {
    const query = parseInput(samplesQuery, request.query, 'query');
    const [dirA, dirB] = [evalRun(query.a, 'query.a'), evalRun(query.b, 'query.b')];
    const modelA = modelOf(dirA, query.a, query.dataset, query.modelA, 'modelA');
    const modelB = modelOf(dirB, query.b, query.dataset, query.modelB, 'modelB');
    const [foundA, foundB] = [readSamples(dirA, modelA, query.dataset, { model: 'query.modelA', dataset: 'query.dataset' }), readSamples(dirB, modelB, query.dataset, { model: 'query.modelB', dataset: 'query.dataset' })];
    if (!foundA) throw consoleErrors.notFound(`results of ${modelA} on ${query.dataset} in eval run "${query.a}"`, 'pick a model and dataset from run A\'s summary');
    if (!foundB) throw consoleErrors.notFound(`results of ${modelB} on ${query.dataset} in eval run "${query.b}"`, 'pick a model and dataset from run B\'s summary');
    const diff = diffSamples(foundA.samples, foundB.samples);
    const kept = query.filter === 'all' ? diff.samples : diff.samples.filter((sample) => sample.outcome === query.filter);
    return {
      dataset: query.dataset,
      a: { run: query.a, model: modelA, metric: foundA.metric, score: foundA.score },
      b: { run: query.b, model: modelB, metric: foundB.metric, score: foundB.score },
      counts: diff.counts,
      onlyInA: diff.onlyInA,
      onlyInB: diff.onlyInB,
      total: kept.length,
      offset: query.offset,
      samples: kept.slice(query.offset, query.offset + query.limit),
    };
  });

  app.get('/api/compare/training', async (request) => {
    const query = parseInput(trainingQuery, request.query, 'query');
    const runs = [query.a, query.b].map((run) => {
      const store = new RunStore(run, home);
      if (!store.exists()) throw consoleErrors.notFound(`training run "${run}"`, 'the Training page lists the runs of this CHAINLM_HOME');
      return { run, status: store.info().status, ...lossCurves(store.readMetrics(), query.maxPoints) };
    });
    return { a: runs[0], b: runs[1] };
  });
}
