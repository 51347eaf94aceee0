import { defineCommand, ensureHome } from '@chainlm/core';
import { cleanDataset } from '../../clean/clean-dataset.js';
import type { CleanReport } from '../../clean/clean-report.js';
import { loadRecipe, parseRecipe } from '../../clean/recipe.js';
import { operators } from '../../clean/operators/index.js';
import { checkWorkers, workersOption } from '../workers-option.js';
import { queueFrom, queueOptions } from '../queue-option.js';

export function renderReport(result: unknown, print: (text: string) => void): void {
  const report = result as CleanReport;
  print(`${report.input} → ${report.dataset}: ${report.read} in, ${report.kept} kept, ${report.dropped} dropped (${report.seconds.toFixed(2)} s)`);
  for (const step of report.operators) print(`  ${step.op.padEnd(14)} ${String(step.in).padStart(9)} → ${String(step.out).padStart(9)}${step.modified ? `  (${step.modified} modified)` : ''}`);
}

export const cleanCommand = defineCommand({
  name: 'clean',
  summary: 'run a cleaning recipe (YAML) over a dataset into a new dataset',
  description: `Operators: ${operators.map((op) => `${op.name} (${op.summary})`).join('; ')}.\nThe report goes to <home>/datasets/OUT/reports/clean.{json,md}.`,
  positionals: [{ name: 'dataset', description: 'input dataset', required: true }],
  options: {
    recipe: { type: 'string', required: true, valueName: 'FILE', description: 'recipe YAML: operators: [{op: nfkc}, {op: length, minChars: 20}, …]' },
    out: { type: 'string', required: true, valueName: 'NAME', description: 'output dataset' },
    replace: { type: 'boolean', description: 'overwrite the output dataset if it exists' },
    workers: workersOption,
    ...queueOptions,
  },
  examples: ['chainlm-data clean raw --recipe recipes/web.yaml --out raw-clean', 'chainlm-data clean raw --recipe recipes/web.yaml --out raw-clean --runner queue --redis redis://127.0.0.1:6379'],
  async run({ options, positionals, events }) {
    return cleanDataset({
      home: ensureHome(),
      input: positionals[0],
      output: options.out,
      recipe: loadRecipe(options.recipe),
      recipeFile: options.recipe,
      replace: options.replace ?? false,
      events,
      workers: checkWorkers('clean', options.workers),
      queue: queueFrom('clean', options),
    });
  },
  render: renderReport,
});

export const dedupCommand = defineCommand({
  name: 'dedup',
  summary: 'exact + near-duplicate dedup (MinHash + LSH) into a new dataset',
  positionals: [{ name: 'dataset', description: 'input dataset', required: true }],
  options: {
    out: { type: 'string', required: true, valueName: 'NAME', description: 'output dataset' },
    threshold: { type: 'number', default: 0.8, description: 'estimated Jaccard at or above which records are near-duplicates' },
    shingle: { type: 'number', default: 5, description: 'words per shingle (a CJK character is a word)' },
    numPerm: { type: 'number', default: 128, description: 'MinHash signature length' },
    bands: { type: 'number', description: 'LSH bands (default: chosen for the threshold)' },
    exactOnly: { type: 'boolean', description: 'only exact (normalised) duplicates' },
    replace: { type: 'boolean', description: 'overwrite the output dataset if it exists' },
    workers: workersOption,
  },
  async run({ options, positionals, events }) {
    const near = { op: 'near-dedup', threshold: options.threshold, shingle: options.shingle, numPerm: options.numPerm, ...(options.bands ? { bands: options.bands } : {}) };
    const recipe = parseRecipe({ name: 'dedup', operators: [{ op: 'exact-dedup' }, ...(options.exactOnly ? [] : [near])] }, 'dedup flags');
    const workers = checkWorkers('dedup', options.workers);
    return cleanDataset({ home: ensureHome(), input: positionals[0], output: options.out, recipe, replace: options.replace ?? false, events, step: 'dedup', workers });
  },
  render: renderReport,
});
