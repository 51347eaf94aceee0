/**
 * `chainlm-serve bench static|dynamic`: the engine's two serving benchmarks (the
 * seed's tables), run through @chainlm/engine's own bench suite, so these numbers
 * and `chainlm-engine bench`'s are the same measurement. `--json` prints one object:
 *  - static: `{ kind, command, machine, rows }`, every (shape, weights, batch) row;
 *  - dynamic: `{ kind, command, machine, arrival, shape, traceSource, continuous,
 *    static, ratio }`, ratio = request throughput, continuous over static batching.
 * The markdown tables go to stdout otherwise (docs/benchmarks/engine.md is written by
 * the engine's `npm run bench`).
 */
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, defineCommand } from '@chainlm/core';
import { runSuite, suiteMarkdown, type BenchVariant, type DynamicRun, type StaticBenchRow } from '@chainlm/engine';
import { initBackend } from '@chainlm/runtime';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const variantNames: readonly BenchVariant[] = ['fp32', 'w8a16', 'w4a16'];
const arrivals = ['poisson', 'all-at-once'] as const;

export interface StaticBenchReport {
  kind: 'static';
  command: string;
  machine: string;
  rows: StaticBenchRow[];
}

export type DynamicBenchReport = { kind: 'dynamic'; command: string; machine: string } & DynamicRun;

/** Positive integers of a list flag; anything else is a usage error naming the flag. */
function sizes(flag: string, values: string[]): number[] {
  return values
    .filter((value) => value !== '0')
    .map((value) => {
      const size = Number(value);
      if (!Number.isInteger(size) || size < 1) throw new UsageError(`bench: --${flag}: "${value}" is not a positive integer`, `e.g. --${flag} 1,16,32 (0 alone: none)`);
      return size;
    });
}

function positive(flag: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`bench: --${flag} must be a positive integer, got ${value}`);
  return value;
}

export const benchCommand = defineCommand({
  name: 'bench',
  summary: "run the engine's serving benchmarks: static (fixed batches) or dynamic (a request trace, continuous vs static batching)",
  positionals: [{ name: 'kind', description: 'static or dynamic', required: true }],
  options: {
    batchSizes: { type: 'list', description: 'static: tiny-shape batch sizes', default: ['1', '16', '32', '64', '128', '256'] },
    s15BatchSizes: { type: 'list', description: 'static: s15-shape batch sizes (0: skip the s15 shape)', default: ['1', '16', '32'] },
    inputLength: { type: 'number', description: 'static: prompt tokens', default: 128 },
    outputLength: { type: 'number', description: 'static: output tokens (tiny shape)', default: 128 },
    s15OutputLength: { type: 'number', description: 'static: output tokens (s15 shape)', default: 32 },
    variants: { type: 'list', description: 'static: weights, of fp32, w8a16, w4a16', default: ['fp32', 'w4a16'] },
    requests: { type: 'number', description: 'dynamic: requests in the trace', default: 64 },
    rate: { type: 'number', description: 'dynamic: Poisson arrivals per second', default: 32 },
    arrival: { type: 'string', description: 'dynamic: poisson or all-at-once', default: 'poisson' },
    maxSeqs: { type: 'number', description: 'dynamic: running sequences (= the static batch size)', default: 16 },
    maxInput: { type: 'number', description: 'dynamic: longest prompt of the trace', default: 256 },
    maxOutput: { type: 'number', description: 'dynamic: longest output of the trace', default: 256 },
  },
  examples: ['chainlm-serve bench static --json', 'chainlm-serve bench dynamic --json', 'chainlm-serve bench static --batch-sizes 1,16 --s15-batch-sizes 0 --variants fp32'],
  async run({ options, positionals, print }): Promise<StaticBenchReport | DynamicBenchReport> {
    const kind = positionals[0];
    if (kind !== 'static' && kind !== 'dynamic') throw new UsageError(`bench: unknown kind "${kind}"`, 'use static or dynamic (the kv, quant and replica benches are `chainlm-engine bench`)');
    for (const variant of options.variants) {
      if (!variantNames.includes(variant as BenchVariant)) throw new UsageError(`bench: --variants: unknown "${variant}"`, `use ${variantNames.join(', ')}`);
    }
    const arrival = options.arrival as (typeof arrivals)[number];
    if (!arrivals.includes(arrival)) throw new UsageError(`bench: --arrival: unknown "${options.arrival}"`, `use ${arrivals.join(' or ')}`);
    if (!(options.rate > 0)) throw new UsageError(`bench: --rate must be > 0, got ${options.rate}`);
    const backend = await initBackend();
    const result = await runSuite(
      {
        kinds: [kind],
        tinyBatchSizes: sizes('batch-sizes', options.batchSizes),
        s15BatchSizes: sizes('s15-batch-sizes', options.s15BatchSizes),
        inputLength: positive('input-length', options.inputLength),
        outputLength: positive('output-length', options.outputLength),
        s15OutputLength: positive('s15-output-length', options.s15OutputLength),
        variants: options.variants as BenchVariant[],
        dynamicRequests: positive('requests', options.requests),
        dynamicRate: options.rate,
        dynamicMaxSeqs: positive('max-seqs', options.maxSeqs),
        dynamicArrivals: [arrival],
        dynamicMaxInput: positive('max-input', options.maxInput),
        dynamicMaxOutput: positive('max-output', options.maxOutput),
        sharedDir: join(repoRoot, '../shared'),
      },
      (line) => process.stderr.write(`${line}\n`),
    );
    const command = `chainlm-serve ${process.argv.slice(2).join(' ')}`.trim();
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), tfjs ${backend.backend}, ${new Date().toISOString().slice(0, 10)}`;
    print(suiteMarkdown(result, command, machine));
    if (kind === 'static') return { kind, command, machine, rows: result.static ?? [] };
    return { kind, command, machine, ...result.dynamic![0] };
  },
});
