/**
 * `uses: pretrain | sft | lora | qlora` — a chainlm-train run from an inline config,
 * exported as an HF model folder under CHAINLM_HOME/models/<pipeline>-<stage> (LoRA
 * merged into its base, and the PEFT adapter kept beside the run).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exportRun, parseTrainConfig, startRun, type TrainMethod } from '@chainlm/train';
import { z } from 'zod';
import type { StageKind } from '../stage-kind.js';
import { stageParams } from './params.js';

const schema = z.strictObject({
  /** A chainlm-train config (the same keys as a YAML config file); `method` is the stage's. */
  config: z.record(z.string(), z.unknown()),
});

function trainStage(method: TrainMethod): StageKind {
  return {
    name: method,
    description: `${method} with chainlm-train, exported as an HF model folder`,
    version: 1,
    code: ['@chainlm/train'],
    async run(params, context) {
      const { config: input } = stageParams(schema, params, method);
      const config = parseTrainConfig({ name: `${context.pipeline}-${context.stage}`, ...input, method }, `pipeline ${context.pipeline} stage ${context.stage}: config`);
      const summary = await startRun(config, { home: context.home, events: context.events });
      const out = context.home.path('models', `${context.pipeline}-${context.stage}`);
      const exported = await exportRun(summary.run, { out, merged: true, home: context.home });
      const artifact = await context.registry.record({
        kind: 'model',
        name: `${context.pipeline}-${context.stage}`,
        path: out,
        metadata: { method, run: summary.run, steps: summary.steps, finalValLoss: summary.finalValLoss, parameters: summary.parameters },
        inputs: [{ id: `run:${summary.run}`, relation: 'exported-from' }, ...context.upstreamArtifacts.filter((id) => id.startsWith('model:')).map((id) => ({ id, relation: 'base-model' }))],
      });
      return {
        outputs: { run: summary.run, runDir: summary.dir, model: exported.out, adapter: summary.adapter ?? null, tokenizer: summary.tokenizer },
        artifacts: [`run:${summary.run}`, artifact.id],
        summary: {
          steps: summary.steps,
          initialValLoss: summary.initialValLoss,
          finalTrainLoss: summary.finalTrainLoss,
          finalValLoss: summary.finalValLoss,
          tokensPerSecond: summary.tokensPerSecond,
          parameters: summary.parameters,
          seconds: summary.elapsedSeconds,
        },
      };
    },
    stillValid: (outputs) => existsSync(join(String(outputs.model), 'config.json')),
  };
}

export const pretrainStage = trainStage('pretrain');
export const sftStage = trainStage('sft');
export const loraStage = trainStage('lora');
export const qloraStage = trainStage('qlora');
