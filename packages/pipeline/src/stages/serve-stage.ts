/**
 * `uses: serve` — starts chainlm-serve in this process for a model folder and records
 * a deployment. It always runs (a service is not an artifact to reuse) and hands the
 * server to the run's report (`report.services`); the pipeline command keeps the
 * process alive while servers are open and closes them on SIGINT.
 */
import { loadServedModel, startServer } from '@chainlm/server';
import { z } from 'zod';
import type { StageKind } from '../stage-kind.js';
import { stageParams } from './params.js';

const schema = z.strictObject({
  model: z.string(),
  /** The name clients use in the `model` field. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(23333),
  maxTokens: z.number().int().positive().default(256),
});

export const serveStage: StageKind = {
  name: 'serve',
  description: 'serve a model folder behind the OpenAI-compatible API (kept running after the pipeline)',
  version: 1,
  code: ['@chainlm/server'],
  alwaysRun: true,
  async run(params, context) {
    const options = stageParams(schema, params, 'serve');
    const served = await loadServedModel(options.model, { id: options.name });
    // startServer: the pipeline has no API keys, so any address but loopback is refused (judged on the bound socket).
    const { app, url: address } = await startServer([served], { host: options.host, port: options.port, maxTokens: options.maxTokens });
    const url = `${address}/v1`;
    const artifact = await context.registry.record({
      kind: 'deployment',
      name: `${context.pipeline}-${options.name}`,
      path: options.model,
      metadata: { url, model: options.name, pid: process.pid, startedAt: new Date().toISOString(), contextLength: served.contextLength },
      inputs: context.upstreamArtifacts.filter((id) => id.startsWith('model:')).map((id) => ({ id, relation: 'serves' })),
    });
    return { outputs: { url, model: options.name }, artifacts: [artifact.id], summary: { url }, services: [{ name: options.name, url, close: () => app.close() }] };
  },
};
