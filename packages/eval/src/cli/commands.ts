/**
 * The chainlm-eval commands: run (a config, or the --model/--datasets
 * shortcut), list, show and compare. Results go to stdout (one JSON object
 * under --json); progress bars go to stderr.
 */
import { defineCommand, UsageError } from '@chainlm/core';
import { buildRunConfig, loadRunConfig, type RunConfig } from '../config/run-config.js';
import { presetNames } from '../datasets/presets.js';
import { defaultOutputDir, listRuns, readRunSummary, resolveRunDir } from '../run/run-layout.js';
import { runEval } from '../run/run-eval.js';
import { comparisonMarkdown, compareRows, summaryTable, toMarkdown, truncationNotes } from '../summarizer/summarize.js';
import type { SummaryRow } from '../types.js';
import { modelConfigFromFlag } from './model-from-flag.js';

const outputDirOption = { type: 'string', valueName: 'DIR', description: 'where runs live (default: $CHAINLM_HOME/evals)' } as const;

export const runCommand = defineCommand({
  name: 'run',
  summary: 'evaluate models on datasets (a config file, or --model with --datasets)',
  description: `Built-in datasets: ${presetNames.join(', ')}. Re-running the same config resumes from saved predictions.`,
  positionals: [{ name: 'config', description: 'run config (YAML or JSON)' }],
  options: {
    model: { type: 'string', valueName: 'PATH_OR_URL', description: 'model to evaluate: an OpenAI-compatible URL or a local checkpoint folder' },
    modelName: { type: 'string', valueName: 'NAME', description: 'the model name sent to the endpoint (default: its first /models entry)' },
    mode: { type: 'string', valueName: 'MODE', description: 'completions or chat (generation endpoint for URLs)' },
    datasets: { type: 'list', valueName: 'A,B', description: 'built-in datasets for --model' },
    dataDir: { type: 'string', valueName: 'DIR', description: 'folder with gsm8k/, mmlu/, arc/, humaneval/ ... (default: $CHAINLM_EVAL_DATA_DIR)' },
    shots: { type: 'number', valueName: 'N', description: 'in-context examples for built-in datasets (0 = zero-shot)' },
    maxOutLen: { type: 'number', valueName: 'N', description: 'cap generated tokens of built-in gen datasets' },
    limit: { type: 'number', valueName: 'N', description: 'evaluate only the first N items of each dataset' },
    name: { type: 'string', valueName: 'NAME', description: 'run name prefix' },
    concurrency: { type: 'number', valueName: 'N', description: 'tasks run at once' },
    shardSize: { type: 'number', valueName: 'N', description: 'datasets with more test items are split into tasks of N items (default 500)' },
    runner: { type: 'string', valueName: 'local|queue', description: 'local: tasks run in this process (default); queue: on `chainlm-eval worker` processes over Redis' },
    redis: { type: 'string', valueName: 'URL', description: 'Redis of the queue runner, e.g. redis://127.0.0.1:6379 (default: $REDIS_URL)' },
    attempts: { type: 'number', valueName: 'N', description: 'queue runner: tries per task before it is reported failed (default 3)' },
    outputDir: outputDirOption,
    noRegistry: { type: 'boolean', description: 'do not record results in the chainlm registry' },
  },
  examples: [
    'chainlm-eval run eval.yaml',
    'chainlm-eval run eval.yaml --runner queue --redis redis://127.0.0.1:6379   # with `chainlm-eval worker` processes',
    'chainlm-eval run --model http://127.0.0.1:8000 --datasets arc_easy,gsm8k,humaneval,mmlu --data-dir ../shared/datasets --limit 20 --json',
  ],
  async run({ options, positionals, events }) {
    const config = await runConfigFrom(positionals[0], options);
    const outcome = await runEval(config, { events });
    return { run: outcome.run, runDir: outcome.runDir, rows: outcome.rows, resumedItems: outcome.resumedItems, inferredItems: outcome.inferredItems };
  },
  render(result, print) {
    const { run, runDir, rows } = result as { run: string; runDir: string; rows: SummaryRow[] };
    print(`run ${run} (${runDir})\n\n${toMarkdown(summaryTable(rows))}${truncationNotes(rows).map((note) => `\n${note}`).join('')}`);
  },
});

function runnerOverrides(options: Record<string, unknown>): Record<string, unknown> {
  const runner: Record<string, unknown> = {};
  if (options.concurrency !== undefined) runner.concurrency = options.concurrency;
  if (options.shardSize !== undefined) runner.shardSize = options.shardSize;
  if (options.runner !== undefined) {
    if (options.runner !== 'local' && options.runner !== 'queue') throw new UsageError(`run: --runner must be local or queue, got "${String(options.runner)}"`);
    runner.type = options.runner;
  }
  if (options.attempts !== undefined) runner.attempts = options.attempts;
  const redis = options.redis ?? (options.runner === 'queue' ? process.env.REDIS_URL : undefined);
  if (redis !== undefined) runner.redis = redis;
  return runner;
}

async function runConfigFrom(file: string | undefined, options: Record<string, unknown>): Promise<RunConfig> {
  const overrides: Record<string, unknown> = {};
  if (options.limit !== undefined) overrides.limit = options.limit;
  if (options.name !== undefined) overrides.name = options.name;
  if (options.outputDir !== undefined) overrides.outputDir = options.outputDir;
  const runner = runnerOverrides(options);
  if (Object.keys(runner).length > 0) overrides.runner = runner;
  if (options.noRegistry) overrides.registry = false;
  if (file !== undefined) {
    if (options.model !== undefined || options.datasets !== undefined) throw new UsageError('run: give either CONFIG or --model/--datasets, not both');
    return loadRunConfig(file, overrides);
  }
  if (options.model === undefined || !Array.isArray(options.datasets) || options.datasets.length === 0) {
    throw new UsageError('run: missing CONFIG (or --model PATH_OR_URL with --datasets NAMES)', `built-in datasets: ${presetNames.join(', ')}`);
  }
  const model = await modelConfigFromFlag({ model: String(options.model), modelName: options.modelName as string | undefined, mode: options.mode as string | undefined });
  const shortcut = {
    name: 'eval',
    ...overrides,
    runner: { concurrency: 2, saveEvery: 16, shardSize: 500, ...(overrides.runner as object | undefined) },
    models: [model],
    presets: options.datasets as string[],
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.shots !== undefined ? { shots: options.shots } : {}),
    ...(options.maxOutLen !== undefined ? { maxOutLen: options.maxOutLen } : {}),
  };
  return buildRunConfig(shortcut as never, 'command-line flags');
}

export const listCommand = defineCommand({
  name: 'list',
  summary: 'list finished runs',
  options: { outputDir: outputDirOption },
  async run({ options }) {
    const runs = listRuns(options.outputDir ?? defaultOutputDir());
    return {
      runs: runs.map((run) => ({
        run: run.run,
        createdAt: run.createdAt,
        models: [...new Set(run.rows.map((row) => row.model))],
        datasets: [...new Set(run.rows.map((row) => row.dataset))],
      })),
    };
  },
  render(result, print) {
    const { runs } = result as { runs: { run: string; createdAt: string; models: string[]; datasets: string[] }[] };
    if (runs.length === 0) print('no runs yet');
    for (const run of runs) print(`${run.run}  ${run.createdAt}  models: ${run.models.join(', ')}  datasets: ${run.datasets.join(', ')}`);
  },
});

export const showCommand = defineCommand({
  name: 'show',
  summary: 'print the summary table of a run',
  positionals: [{ name: 'run', description: 'run name or folder', required: true }],
  options: { outputDir: outputDirOption },
  async run({ options, positionals }) {
    const runDir = resolveRunDir(positionals[0], options.outputDir ?? defaultOutputDir());
    const summary = readRunSummary(runDir);
    return { run: summary.run, runDir, createdAt: summary.createdAt, rows: summary.rows };
  },
  render(result, print) {
    const { run, runDir, rows } = result as { run: string; runDir: string; rows: SummaryRow[] };
    print(`run ${run} (${runDir})\n\n${toMarkdown(summaryTable(rows))}${truncationNotes(rows).map((note) => `\n${note}`).join('')}`);
  },
});

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'compare two runs: scores side by side with deltas (B − A)',
  positionals: [
    { name: 'runA', description: 'baseline run', required: true },
    { name: 'runB', description: 'run to compare', required: true },
  ],
  options: { outputDir: outputDirOption },
  async run({ options, positionals }) {
    const outputDir = options.outputDir ?? defaultOutputDir();
    const [a, b] = positionals.map((run) => readRunSummary(resolveRunDir(run, outputDir)));
    return { runA: a.run, runB: b.run, rows: compareRows(a.rows, b.rows) };
  },
  render(result, print) {
    const { runA, runB, rows } = result as { runA: string; runB: string; rows: ReturnType<typeof compareRows> };
    print(comparisonMarkdown(rows, runA, runB));
  },
});
