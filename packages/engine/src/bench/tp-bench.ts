/**
 * Tensor parallel (latency): output tokens/s of one and four concurrent streams on
 * the unsplit model (main thread) and on 2 tensor-parallel ranks, same run.
 */
import { createModel, presetConfig } from '@chainlm/model';
import { Engine } from '../engine/engine.js';
import { kvBytesPerToken } from '../engine/memory-plan.js';
import { stepModelFrom } from '../model/step-model.js';
import type { StepModel } from '../model-contract.js';
import { TensorParallelModel } from '../parallel/tensor-parallel.js';
import { round } from './stats.js';

export interface TpBenchRow {
  setup: string;
  streams: number;
  outputTokensPerSecond: number;
  msPerToken: number;
  speedup: number;
}

async function measure(model: StepModel, streams: number, tokens: number, cacheGiB: number): Promise<number> {
  const engine = new Engine(model, { config: { cacheGiB, blockSize: 16, maxBatchTokens: 256, capToUsable: false } });
  const started = performance.now();
  await Promise.all(Array.from({ length: streams }, (_, index) => new Promise<void>((resolve) => engine.addRequest({ promptTokenIds: [1, 7 + index, 9], sampling: { temperature: 0, maxTokens: tokens, ignoreEos: true } }, (event) => event.type === 'request-finish' && resolve()))));
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  return (streams * tokens) / seconds;
}

export async function runTpBench(options: { preset: string; tokens: number }): Promise<TpBenchRow[]> {
  const numBlocks = 64;
  const model = createModel(presetConfig(options.preset), undefined, { seed: 3 });
  const cacheGiB = ((numBlocks + 0.5) * 16 * kvBytesPerToken(model.config, 'float32')) / 1024 ** 3;
  const tp = await TensorParallelModel.create({ preset: options.preset, seed: 3, world: 2, numBlocks, blockSize: 16, maxRows: 256 });
  const rows: TpBenchRow[] = [];
  for (const streams of [1, 4]) {
    const base = await measure(stepModelFrom(model), streams, options.tokens, cacheGiB);
    const split = await measure(tp, streams, options.tokens, cacheGiB);
    for (const [setup, speed] of [['1 thread', base], ['2 tensor-parallel ranks', split]] as const) {
      rows.push({ setup: `${options.preset}, ${setup}`, streams, outputTokensPerSecond: round(speed), msPerToken: round((1000 * streams) / speed, 2), speedup: round(speed / base, 2) });
    }
  }
  await tp.close();
  model.dispose();
  return rows;
}
