/**
 * Where a run lives and what it is called. A run is named `<name>_<hash>` where
 * the hash covers everything that changes results (models, datasets with their
 * prompt configs, limit, shard size) and nothing that does not (concurrency,
 * save interval, output folder): the same config resumes the same run, a changed
 * prompt starts a new one.
 *
 *   <outputDir>/<run>/config.json
 *   <outputDir>/<run>/predictions/<model>/<dataset>[_<shard>].json
 *   <outputDir>/<run>/results/<model>/<dataset>.json
 *   <outputDir>/<run>/summary/summary.{md,csv,json}
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveHome, stableHash } from '@chainlm/core';
import { z } from 'zod';
import type { RunConfig } from '../config/run-config.js';
import { EvalError } from '../errors.js';

export function runName(config: RunConfig): string {
  const hashed = { models: config.models, datasets: config.datasets, limit: config.limit, shardSize: config.runner.shardSize };
  return `${config.name}_${stableHash(hashed).slice(0, 10)}`;
}

export function defaultOutputDir(): string {
  return resolveHome().path('evals');
}

export const runPaths = (runDir: string) => ({
  config: join(runDir, 'config.json'),
  predictions: (model: string, task: string) => join(runDir, 'predictions', model, `${task}.json`),
  results: (model: string, dataset: string) => join(runDir, 'results', model, `${dataset}.json`),
  summaryDir: join(runDir, 'summary'),
  summaryJson: join(runDir, 'summary', 'summary.json'),
});

const rowSchema = z.object({ dataset: z.string(), model: z.string(), metric: z.string(), score: z.number(), mode: z.string(), promptHash: z.string(), truncated: z.number().int().optional() });
const summarySchema = z.object({ run: z.string(), createdAt: z.string(), rows: z.array(rowSchema) });
export type RunSummary = z.infer<typeof summarySchema>;

/** A run folder from a name (under outputDir) or a path. */
export function resolveRunDir(run: string, outputDir = defaultOutputDir()): string {
  const candidates = [resolve(run), join(outputDir, run)];
  const found = candidates.find((candidate) => existsSync(join(candidate, 'summary', 'summary.json')));
  if (!found) {
    throw new EvalError('eval-run-not-found', `no finished eval run "${run}" (looked in ${candidates.join(' and ')})`, '`chainlm-eval list` shows the runs; pass --output-dir if they are elsewhere');
  }
  return found;
}

export function readRunSummary(runDir: string): RunSummary {
  const file = runPaths(runDir).summaryJson;
  const parsed = summarySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new EvalError('eval-run-not-found', `${file} is not an eval summary: ${parsed.error.issues[0].message}`, 'rerun the eval to rewrite it');
  }
  return parsed.data;
}

export function listRuns(outputDir = defaultOutputDir()): RunSummary[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir)
    .filter((name) => existsSync(runPaths(join(outputDir, name)).summaryJson))
    .map((name) => readRunSummary(join(outputDir, name)))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.run.localeCompare(b.run));
}

