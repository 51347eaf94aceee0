/**
 * Dynamic benchmark (the seed's second table): a trace of requests with variable
 * prompt and output lengths arriving over time, run twice on the same engine
 * settings — continuous batching (requests join and leave every step) and static
 * batching (an HF `generate` loop: take up to `maxSeqs` arrived requests, run them
 * until the slowest is done, answer them all together, then take the next batch).
 */
import type { Model } from '@chainlm/model';
import { Engine } from '../engine/engine.js';
import { stepModelFrom } from '../model/step-model.js';
import { percentile, round, seededRandom } from './stats.js';
import type { TraceRequest } from './trace.js';

export type BatchingPolicy = 'continuous' | 'static';

export interface DynamicResult {
  policy: BatchingPolicy;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  outputTokensPerSecond: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

interface Timing {
  ttftMs: number;
  latencyMs: number;
}

export async function runDynamic(model: Model, trace: readonly TraceRequest[], policy: BatchingPolicy, maxSeqs: number): Promise<DynamicResult> {
  const contextTokens = Math.max(...trace.map((request) => request.inputLength + request.outputLength));
  const kvPerToken = 2 * model.config.numLayers * model.config.numKvHeads * model.config.headDim * 4;
  const engine = new Engine(stepModelFrom(model), {
    config: { maxSeqs, maxBatchTokens: 1024, blockSize: 16, cacheGiB: (maxSeqs * (contextTokens + 16) * kvPerToken) / 1024 ** 3, capToUsable: false, enablePrefixCaching: false },
  });
  const random = seededRandom(5);
  const prompts = trace.map((request) => Array.from({ length: request.inputLength }, () => 3 + Math.floor(random() * (model.config.vocabSize - 3))));
  const started = performance.now();
  const timings = policy === 'continuous' ? await runContinuous(engine, trace, prompts, started) : await runStatic(engine, trace, prompts, started, maxSeqs);
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  const outputTokens = trace.reduce((sum, request) => sum + request.outputLength, 0);
  return {
    policy,
    requests: trace.length,
    seconds: round(seconds, 2),
    requestsPerSecond: round(trace.length / seconds, 2),
    outputTokensPerSecond: round(outputTokens / seconds),
    ttftP50Ms: round(percentile(timings.map((timing) => timing.ttftMs), 50)),
    ttftP99Ms: round(percentile(timings.map((timing) => timing.ttftMs), 99)),
    latencyP50Ms: round(percentile(timings.map((timing) => timing.latencyMs), 50)),
    latencyP99Ms: round(percentile(timings.map((timing) => timing.latencyMs), 99)),
  };
}

function sleepUntil(started: number, atMs: number): Promise<void> {
  const wait = started + atMs - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}

/** Sends each request at its arrival time; the engine batches continuously. */
async function runContinuous(engine: Engine, trace: readonly TraceRequest[], prompts: number[][], started: number): Promise<Timing[]> {
  const done: Promise<Timing>[] = [];
  for (let index = 0; index < trace.length; index++) {
    await sleepUntil(started, trace[index].arrivalMs);
    done.push(
      new Promise((resolve) => {
        const arrival = performance.now();
        let firstToken: number | undefined;
        engine.addRequest({ promptTokenIds: prompts[index], sampling: { temperature: 0, maxTokens: trace[index].outputLength, ignoreEos: true } }, (event) => {
          firstToken ??= performance.now();
          if (event.type === 'request-finish') resolve({ ttftMs: firstToken - arrival, latencyMs: performance.now() - arrival });
        });
      }),
    );
  }
  return Promise.all(done);
}

/** HF-style static batches: every member generates to the batch's longest output; all answer at the batch's end. */
async function runStatic(engine: Engine, trace: readonly TraceRequest[], prompts: number[][], started: number, maxSeqs: number): Promise<Timing[]> {
  const timings: Timing[] = [];
  let next = 0;
  while (next < trace.length) {
    await sleepUntil(started, trace[next].arrivalMs);
    const now = performance.now() - started;
    const members: number[] = [];
    while (next < trace.length && members.length < maxSeqs && trace[next].arrivalMs <= now) members.push(next++);
    const longest = Math.max(...members.map((index) => trace[index].outputLength));
    const firstTokens = await Promise.all(
      members.map(
        (index) =>
          new Promise<number>((resolve) => {
            let firstToken: number | undefined;
            engine.addRequest({ promptTokenIds: prompts[index], sampling: { temperature: 0, maxTokens: longest, ignoreEos: true } }, (event) => {
              firstToken ??= performance.now();
              if (event.type === 'request-finish') resolve(firstToken);
            });
          }),
      ),
    );
    const end = performance.now();
    members.forEach((index, position) => timings.push({ ttftMs: firstTokens[position] - (started + trace[index].arrivalMs), latencyMs: end - (started + trace[index].arrivalMs) }));
  }
  return timings;
}
