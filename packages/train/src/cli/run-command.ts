import { resolve } from 'node:path';
import { defineCommand, UsageError } from '@chainlm/core';
import { loadTrainConfig, parseTrainConfig } from '../config/load.js';
import { trainPresets } from '../config/presets.js';
import type { RunSummary } from '../loop/session.js';

/** The training stack (model package, tfjs) loads only for commands that train. */
async function trainingStack() {
  const [{ initBackend }, session] = await Promise.all([import('@chainlm/runtime'), import('../loop/session.js')]);
  await initBackend();
  return session;
}

function flagOverrides(options: { maxSteps?: number; workers?: number; name?: string; seed?: number }): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  if (options.maxSteps !== undefined) overrides.maxSteps = options.maxSteps;
  if (options.workers !== undefined) overrides.workers = options.workers;
  if (options.name !== undefined) overrides.name = options.name;
  if (options.seed !== undefined) overrides.seed = options.seed;
  return overrides;
}

export function renderSummary(result: unknown, print: (text: string) => void): void {
  const summary = result as RunSummary;
  print(`run ${summary.run}: ${summary.steps} steps (${summary.method}, ${summary.workers} worker${summary.workers > 1 ? 's' : ''})`);
  print(`  val loss ${summary.initialValLoss.toFixed(4)} → ${summary.finalValLoss.toFixed(4)} (perplexity ${summary.finalValPerplexity.toFixed(2)}), last train loss ${summary.finalTrainLoss.toFixed(4)}`);
  print(`  ${summary.tokensPerSecond.toFixed(0)} tokens/s, ${summary.elapsedSeconds.toFixed(1)} s`);
  print(`  checkpoint ${summary.checkpoint}`);
  if (summary.adapter) print(`  adapter ${summary.adapter}`);
  if (summary.memory) print(`  frozen base: ${(summary.memory.baseStoredBytes / 2 ** 20).toFixed(2)} MiB stored vs ${(summary.memory.baseFp32Bytes / 2 ** 20).toFixed(2)} MiB fp32`);
  print(`  metrics ${summary.dir}/metrics.jsonl`);
}

export const runCommand = defineCommand({
  name: 'run',
  summary: 'train from a config file, or from a preset and a data file',
  description: 'Pretraining, full SFT, LoRA or QLoRA as the config says. The run folder (config, metrics.jsonl, run.json) is CHAINLM_HOME/runs/<run>/, checkpoints CHAINLM_HOME/checkpoints/<run>/.',
  positionals: [{ name: 'config', description: 'YAML/JSON training config' }],
  options: {
    preset: { type: 'string', description: `preset without a config file: ${Object.keys(trainPresets).join(', ')}`, valueName: 'NAME' },
    data: { type: 'string', description: 'with --preset: a .txt/.jsonl/.json file or dataset name', valueName: 'FILE_OR_DATASET' },
    maxSteps: { type: 'number', description: 'override maxSteps', valueName: 'N' },
    workers: { type: 'number', description: 'override workers (data-parallel threads)', valueName: 'N' },
    seed: { type: 'number', description: 'override seed', valueName: 'N' },
    name: { type: 'string', description: 'run name prefix', valueName: 'NAME' },
    run: { type: 'string', description: 'exact run id (default NAME-TIMESTAMP)', valueName: 'ID' },
  },
  examples: ['chainlm-train run train.yaml --json', 'chainlm-train run --preset tiny --data input.txt --max-steps 100 --json'],
  async run({ options, positionals, events }) {
    const [file] = positionals;
    if (file === undefined && options.preset === undefined) throw new UsageError('run: give a CONFIG file or --preset with --data');
    if (file !== undefined && (options.preset !== undefined || options.data !== undefined)) throw new UsageError('run: give either a CONFIG file or --preset/--data, not both');
    if (options.preset !== undefined && options.data === undefined) throw new UsageError('run: --preset needs --data FILE_OR_DATASET');
    const overrides = flagOverrides(options);
    const config = file !== undefined
      ? loadTrainConfig(resolve(file), { overrides })
      : parseTrainConfig({ preset: options.preset, data: { dataset: options.data }, ...overrides }, `--preset ${options.preset}`);
    const { startRun } = await trainingStack();
    return startRun(config, { events, run: options.run });
  },
  render: renderSummary,
});

export const resumeCommand = defineCommand({
  name: 'resume',
  summary: 'continue a run from its newest checkpoint, exactly as if it had not stopped',
  positionals: [{ name: 'run', description: 'run id (see `chainlm-train ls`)', required: true }],
  options: {},
  examples: ['chainlm-train resume tiny-20260101T000000 --json'],
  async run({ positionals, events }) {
    const { resumeRun } = await trainingStack();
    return resumeRun(positionals[0], { events });
  },
  render: renderSummary,
});
