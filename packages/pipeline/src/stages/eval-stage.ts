/** `uses: eval` — an OpenCompass-style evaluation of a model folder (± adapter) in-process. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChainlmError, stableHash } from '@chainlm/core';
import { buildRunConfig, runEval } from '@chainlm/eval';
import { z } from 'zod';
import type { StageKind } from '../stage-kind.js';
import { stageParams } from './params.js';

const schema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  /** HF model folder (evaluated in-process), or… */
  model: z.string().optional(),
  /** …an OpenAI-compatible endpoint, in chainlm-eval's `openai` model format (baseUrl, model, mode, apiKeyEnv, …). */
  endpoint: z.record(z.string(), z.unknown()).optional(),
  /** Short model name in the summary table. */
  abbr: z.string().optional(),
  adapter: z.string().optional(),
  /** Registry id of the model, for the lineage edge model → eval. */
  modelId: z.string().optional(),
  /** Dataset configs in chainlm-eval's format (reader, infer, eval). */
  datasets: z.array(z.record(z.string(), z.unknown())).default([]),
  /** Built-in dataset names (arc_easy, gsm8k, ...) and where their data lives. */
  presets: z.array(z.string()).default([]),
  dataDir: z.string().optional(),
  limit: z.number().int().positive().optional(),
});

/** Size and modification time of a model folder's weight and config files, hashed. */
function modelFingerprint(folder: string): string {
  const files = readdirSync(folder).filter((file) => /\.(safetensors|json|bin)$/.test(file)).sort();
  return stableHash(files.map((file) => {
    const stat = statSync(join(folder, file));
    return [file, stat.size, stat.mtimeMs];
  })).slice(0, 10);
}

export const evalStage: StageKind = {
  name: 'eval',
  description: 'evaluate a model folder (optionally with a LoRA adapter) on dataset configs; rows of the summary table as outputs',
  version: 1,
  code: ['@chainlm/eval'],
  async run(params, context) {
    const options = stageParams(schema, params, 'eval');
    if ((options.model === undefined) === (options.endpoint === undefined)) {
      throw new ChainlmError('pipeline-eval-model', `stage ${context.stage}: give exactly one of model (a folder) and endpoint (an OpenAI-compatible URL)`, { exitCode: 2 });
    }
    const model = options.model !== undefined
      ? { type: 'local', abbr: options.abbr ?? options.name, path: options.model, ...(options.adapter ? { adapter: options.adapter } : {}), ...(options.modelId ? { registryId: options.modelId } : {}) }
      : { type: 'openai', abbr: options.abbr ?? options.name, ...options.endpoint };
    const config = buildRunConfig(
      {
        // chainlm-eval resumes a run of the same name from its saved predictions; the
        // model's files are part of the name, so a retrained model is never scored
        // with the predictions of the one before it (a crashed eval still resumes).
        name: options.model !== undefined ? `${options.name}-${modelFingerprint(options.model)}` : options.name,
        models: [model as never],
        datasets: options.datasets as never,
        presets: options.presets,
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.limit ? { limit: options.limit } : {}),
        outputDir: context.home.path('evals'),
      },
      `pipeline ${context.pipeline} stage ${context.stage}`,
    );
    const outcome = await runEval(config, { events: context.events, registry: context.registry });
    const scores = Object.fromEntries(outcome.rows.map((row) => [row.dataset, row.score]));
    return {
      outputs: { run: outcome.run, runDir: outcome.runDir, scores, rows: outcome.rows },
      artifacts: outcome.registryIds,
      summary: scores,
    };
  },
  stillValid: (outputs) => existsSync(String(outputs.runDir)),
};
