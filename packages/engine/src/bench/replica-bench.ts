/**
 * Replicas in worker threads (throughput): the same request set on one in-thread
 * engine, then on pools of 1 and 2 worker replicas. Speed-up is over the in-thread
 * engine, in the same run. On 2 cores shared with other work, 2 replicas can at
 * best double throughput.
 */
import { createModel, presetConfig } from '@chainlm/model';
import { Engine, type GenerateRequest } from '../engine/engine.js';
import type { EngineEvent } from '../engine/events.js';
import { stepModelFrom } from '../model/step-model.js';
import { ReplicaPool } from '../parallel/replica-pool.js';
import { round, seededRandom } from './stats.js';

export interface ReplicaBenchRow {
  setup: string;
  requests: number;
  seconds: number;
  outputTokensPerSecond: number;
  speedup: number;
}

type Submit = (request: GenerateRequest, onEvent: (event: EngineEvent) => void) => unknown;

async function timeRequests(submit: Submit, requests: GenerateRequest[]): Promise<number> {
  const started = performance.now();
  await Promise.all(requests.map((request) => new Promise<void>((resolve) => submit(request, (event) => event.type === 'request-finish' && resolve()))));
  return (performance.now() - started) / 1000;
}

export async function runReplicaBench(options: { preset: string; requests: number; inputLength: number; outputLength: number }): Promise<ReplicaBenchRow[]> {
  const config = { cacheGiB: 0.25, blockSize: 16, maxSeqs: 32, capToUsable: false };
  const random = seededRandom(9);
  const model = createModel(presetConfig(options.preset), undefined, { seed: 2 });
  const requests: GenerateRequest[] = Array.from({ length: options.requests }, () => ({
    promptTokenIds: Array.from({ length: options.inputLength }, () => 3 + Math.floor(random() * (model.config.vocabSize - 3))),
    sampling: { temperature: 0, maxTokens: options.outputLength, ignoreEos: true },
  }));
  const rows: ReplicaBenchRow[] = [];
  const add = (setup: string, seconds: number) => {
    const tokensPerSecond = (options.requests * options.outputLength) / seconds;
    rows.push({ setup, requests: options.requests, seconds: round(seconds, 2), outputTokensPerSecond: round(tokensPerSecond), speedup: round(tokensPerSecond / (rows[0]?.outputTokensPerSecond ?? tokensPerSecond), 2) });
  };
  const engine = new Engine(stepModelFrom(model), { config });
  add('1 engine, main thread', await timeRequests((request, onEvent) => engine.addRequest(request, onEvent), requests));
  await engine.close();
  model.dispose();
  for (const count of [1, 2]) {
    const pool = await ReplicaPool.create(count, { preset: options.preset, seed: 2 }, config);
    add(`${count} worker replica${count > 1 ? 's' : ''}`, await timeRequests((request, onEvent) => pool.addRequest(request, onEvent), requests));
    await pool.close();
  }
  return rows;
}
