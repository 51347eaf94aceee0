/** Runs the engine benchmarks by name and collects every row (the `--json` object). */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { benchModel, type BenchShape, type BenchVariant } from './bench-model.js';
import type { DynamicResult } from './dynamic-bench.js';
import { compareBatching } from './dynamic-compare.js';
import { runKvBench, type KvBenchRow } from './kv-bench.js';
import { runQuantBench, type QuantBenchRow } from './quant-bench.js';
import { runReplicaBench, type ReplicaBenchRow } from './replica-bench.js';
import { runTpBench, type TpBenchRow } from './tp-bench.js';
import { runStaticBench, type StaticBenchRow } from './static-bench.js';
import { buildTrace, type TraceOptions } from './trace.js';
import { round } from './stats.js';
import { loadStories260K, storiesPath } from '../testing/stories260k.js';

export const benchKinds = ['static', 'dynamic', 'kv', 'quant', 'replicas', 'tp'] as const;
export type BenchKind = (typeof benchKinds)[number];

export interface SuiteOptions {
  kinds: BenchKind[];
  /** Static: tiny shape batch sizes, and the (smaller, 2-core-sized) s15 ones. */
  tinyBatchSizes: number[];
  s15BatchSizes: number[];
  inputLength: number;
  outputLength: number;
  s15OutputLength: number;
  variants: BenchVariant[];
  dynamicRequests: number;
  dynamicRate: number;
  dynamicMaxSeqs: number;
  sharedDir: string;
  /** Dynamic: arrival modes to run (default both) and length caps (default 256/256). */
  dynamicArrivals?: TraceOptions['arrival'][];
  dynamicMaxInput?: number;
  dynamicMaxOutput?: number;
  /** Dynamic: timed rounds per arrival mode, alternating which policy runs first; the median-ratio round is reported (default 3). */
  dynamicRounds?: number;
}

export interface DynamicRun {
  arrival: TraceOptions['arrival'];
  shape: BenchShape;
  traceSource: string;
  continuous: DynamicResult;
  static: DynamicResult;
  /** Request throughput, continuous over static. */
  ratio: number;
}

export interface SuiteResult {
  static?: StaticBenchRow[];
  dynamic?: DynamicRun[];
  kv?: KvBenchRow[];
  quant?: QuantBenchRow[];
  replicas?: ReplicaBenchRow[];
  tp?: TpBenchRow[];
}

export async function runSuite(options: SuiteOptions, log: (line: string) => void): Promise<SuiteResult> {
  const result: SuiteResult = {};
  if (options.kinds.includes('kv')) {
    result.kv = [...runKvBench({ batch: 32, context: 256, numHeads: 4, numKvHeads: 2, headDim: 32, repeats: 5 }), ...runKvBench({ batch: 8, context: 256, numHeads: 6, numKvHeads: 6, headDim: 48, repeats: 5 })];
    for (const row of result.kv) log(`kv ${row.store} batch ${row.batch}: ${row.msPerLayer} ms/layer`);
  }
  if (options.kinds.includes('static')) {
    result.static = [];
    for (const variant of options.variants) {
      result.static.push(...(await runStaticBench({ shape: 'tiny', variant, batchSizes: options.tinyBatchSizes, inputLength: options.inputLength, outputLength: options.outputLength }, log)));
      if (options.s15BatchSizes.length > 0) result.static.push(...(await runStaticBench({ shape: 's15', variant, batchSizes: options.s15BatchSizes, inputLength: options.inputLength, outputLength: options.s15OutputLength }, log)));
    }
  }
  if (options.kinds.includes('dynamic')) {
    result.dynamic = [];
    const { model } = benchModel('tiny', 'fp32');
    const sharegptDir = join(options.sharedDir, 'datasets/sharegpt');
    for (const arrival of options.dynamicArrivals ?? (['poisson', 'all-at-once'] as const)) {
      const trace = buildTrace({ numRequests: options.dynamicRequests, arrival, rate: options.dynamicRate, lengthScale: 0.5, maxInput: options.dynamicMaxInput ?? 256, maxOutput: options.dynamicMaxOutput ?? 256, sharegptDir: existsSync(sharegptDir) ? sharegptDir : undefined });
      // Warm up once per process (the first arrival mode), then alternate the order across rounds.
      const comparison = await compareBatching(model, trace.requests, { maxSeqs: options.dynamicMaxSeqs, rounds: options.dynamicRounds ?? 3, warmUp: result.dynamic.length === 0 }, log);
      const run: DynamicRun = { arrival, shape: 'tiny', traceSource: trace.source, continuous: comparison.continuous, static: comparison.static, ratio: comparison.ratio };
      result.dynamic.push(run);
      log(`dynamic ${arrival} (median-ratio round of ${comparison.rounds.length}): continuous ${run.continuous.requestsPerSecond} req/s, static ${run.static.requestsPerSecond} req/s, ratio ${run.ratio}`);
    }
    model.dispose();
  }
  if (options.kinds.includes('quant') && storiesPath) {
    const stories = await loadStories260K();
    result.quant = await runQuantBench(stories.model, log);
    stories.model.dispose();
  }
  if (options.kinds.includes('replicas')) {
    result.replicas = await runReplicaBench({ preset: 'tiny', requests: 64, inputLength: 64, outputLength: 64 });
    for (const row of result.replicas) log(`replicas ${row.setup}: ${row.outputTokensPerSecond} out tok/s`);
  }
  if (options.kinds.includes('tp')) {
    result.tp = [...(await runTpBench({ preset: 'tiny', tokens: 64 })), ...(await runTpBench({ preset: 's15', tokens: 32 }))];
    for (const row of result.tp) log(`tp ${row.setup} ×${row.streams}: ${row.outputTokensPerSecond} out tok/s`);
  }
  return result;
}
