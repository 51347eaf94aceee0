/**
 * Static benchmark (the seed's first table): B requests of `inputLength` random
 * prompt tokens, all at once, each generating exactly `outputLength` tokens
 * (greedy, EOS ignored) → output tokens/s per batch size. The ratio column is
 * against batch 1 of the same shape and variant, measured in the same run.
 */
import { Engine } from '../engine/engine.js';
import { stepModelFrom } from '../model/step-model.js';
import { benchModel, type BenchShape, type BenchVariant } from './bench-model.js';
import { round, seededRandom } from './stats.js';

export interface StaticBenchOptions {
  shape: BenchShape;
  variant: BenchVariant;
  batchSizes: number[];
  inputLength: number;
  outputLength: number;
  maxBatchTokens?: number;
  kvStore?: 'auto' | 'wasm-heap' | 'host';
}

export interface StaticBenchRow {
  shape: BenchShape;
  variant: BenchVariant;
  batch: number;
  inputLength: number;
  outputLength: number;
  seconds: number;
  outputTokensPerSecond: number;
  /** Over batch 1 of the same shape and variant. */
  ratio: number;
  weightMiB: number;
}

export async function runStaticBench(options: StaticBenchOptions, log: (line: string) => void = () => {}): Promise<StaticBenchRow[]> {
  const { model, storedBytes } = benchModel(options.shape, options.variant);
  const rows: StaticBenchRow[] = [];
  try {
    const random = seededRandom(7);
    for (const batch of options.batchSizes) {
      const engine = new Engine(stepModelFrom(model), {
        config: { kvStore: options.kvStore ?? 'auto', blockSize: 16, maxSeqs: batch, maxBatchTokens: options.maxBatchTokens ?? 2048, cacheGiB: (batch * (options.inputLength + options.outputLength + 16) * kvBytes(model.config)) / 1024 ** 3, capToUsable: false },
      });
      const prompts = Array.from({ length: batch }, () => Array.from({ length: options.inputLength }, () => 3 + Math.floor(random() * (model.config.vocabSize - 3))));
      const started = performance.now();
      await Promise.all(prompts.map((promptTokenIds) => new Promise<void>((resolve) => engine.addRequest({ promptTokenIds, sampling: { temperature: 0, maxTokens: options.outputLength, ignoreEos: true } }, (event) => event.type === 'request-finish' && resolve()))));
      const seconds = (performance.now() - started) / 1000;
      await engine.close();
      const tokensPerSecond = (batch * options.outputLength) / seconds;
      const row: StaticBenchRow = { shape: options.shape, variant: options.variant, batch, inputLength: options.inputLength, outputLength: options.outputLength, seconds: round(seconds, 2), outputTokensPerSecond: round(tokensPerSecond), ratio: round(tokensPerSecond / (rows[0]?.outputTokensPerSecond ?? tokensPerSecond), 2), weightMiB: round(storedBytes / 1024 ** 2, 2) };
      rows.push(row);
      log(`static ${row.shape} ${row.variant} batch ${batch}: ${row.outputTokensPerSecond} out tok/s (${row.seconds} s)`);
    }
  } finally {
    model.dispose();
  }
  return rows;
}

function kvBytes(config: { numLayers: number; numKvHeads: number; headDim: number }): number {
  return 2 * config.numLayers * config.numKvHeads * config.headDim * 4;
}
