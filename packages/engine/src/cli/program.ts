/**
 * chainlm-engine: the engine's benchmarks (the server's `chainlm-serve bench`
 * calls the same functions) and the memory plan of a preset shape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, defineCommand, writeFileAtomic, type Program } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import { presetConfig } from '@chainlm/model';
import { benchKinds, runSuite, type BenchKind } from '../bench/suite.js';
import { suiteMarkdown } from '../bench/report.js';
import { parseEngineConfig } from '../config/engine-config.js';
import { formatMemoryPlan, planMemory, availableMemory } from '../engine/memory-plan.js';
import type { BenchVariant } from '../bench/bench-model.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const numbers = (values: string[]) => values.map(Number).filter((value) => Number.isInteger(value) && value > 0);

const bench = defineCommand({
  name: 'bench',
  summary: 'run the engine benchmarks: static, dynamic, kv, quant (or all)',
  positionals: [{ name: 'kind', description: `one of ${benchKinds.join(', ')}, all`, required: true }],
  options: {
    batchSizes: { type: 'list', description: 'tiny-shape batch sizes', default: ['1', '16', '32', '64', '128', '256'] },
    s15BatchSizes: { type: 'list', description: 's15 batch sizes (sized for 2 cores)', default: ['1', '16', '32'] },
    inputLength: { type: 'number', description: 'static prompt tokens', default: 128 },
    outputLength: { type: 'number', description: 'static output tokens (tiny)', default: 128 },
    s15OutputLength: { type: 'number', description: 'static output tokens (s15; 32 keeps the run to minutes)', default: 32 },
    variants: { type: 'list', description: 'fp32, w8a16, w4a16', default: ['fp32', 'w4a16'] },
    requests: { type: 'number', description: 'dynamic: requests in the trace', default: 64 },
    rate: { type: 'number', description: 'dynamic: Poisson arrivals per second (above capacity, so batching policy shows)', default: 32 },
    maxSeqs: { type: 'number', description: 'dynamic: running sequences (= static batch size)', default: 16 },
    rounds: { type: 'number', description: 'dynamic: timed rounds per arrival mode, alternating which policy runs first (the median-ratio round is reported)', default: 3 },
    write: { type: 'boolean', description: 'write the tables into docs/benchmarks/engine.md' },
    section: { type: 'string', description: 'name of the doc section --write replaces (default: the kind)' },
  },
  examples: ['chainlm-engine bench static --json', 'chainlm-engine bench dynamic --write', 'chainlm-engine bench all --write'],
  async run({ options, positionals, print, json }) {
    const kind = positionals[0];
    if (kind !== 'all' && !benchKinds.includes(kind as BenchKind)) throw new UsageError(`bench: unknown kind "${kind}"`, `use one of ${benchKinds.join(', ')}, all`);
    const variants = options.variants as BenchVariant[];
    for (const variant of variants) if (!['fp32', 'w8a16', 'w4a16'].includes(variant)) throw new UsageError(`bench: --variants: unknown "${variant}"`, 'use fp32, w8a16 or w4a16');
    await initBackend();
    const kinds = kind === 'all' ? [...benchKinds] : [kind as BenchKind];
    const result = await runSuite(
      {
        kinds,
        tinyBatchSizes: numbers(options.batchSizes),
        s15BatchSizes: numbers(options.s15BatchSizes),
        inputLength: options.inputLength,
        outputLength: options.outputLength,
        s15OutputLength: options.s15OutputLength,
        variants,
        dynamicRequests: options.requests,
        dynamicRate: options.rate,
        dynamicMaxSeqs: options.maxSeqs,
        dynamicRounds: options.rounds,
        sharedDir: join(repoRoot, '../shared'),
      },
      (line) => process.stderr.write(`${line}\n`),
    );
    const command = `chainlm-engine bench ${process.argv.slice(3).join(' ')}`.trim();
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), tfjs wasm, ${new Date().toISOString().slice(0, 10)}`;
    const markdown = suiteMarkdown(result, command, machine);
    if (options.write) await writeSection(options.section ?? kind, markdown);
    if (!json) print(markdown);
    return result;
  },
});

/** Replaces the `<!-- bench:KIND -->` … `<!-- /bench:KIND -->` block of the doc (appends it when absent). */
async function writeSection(kind: string, markdown: string): Promise<void> {
  const file = join(repoRoot, 'docs/benchmarks/engine.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Engine benchmarks\n';
  const open = `<!-- bench:${kind} -->`;
  const close = `<!-- /bench:${kind} -->`;
  const block = `${open}\n${markdown}${close}`;
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const next = start >= 0 && end > start ? current.slice(0, start) + block + current.slice(end + close.length) : `${current.trimEnd()}\n\n${block}\n`;
  await writeFileAtomic(file, next);
}

const plan = defineCommand({
  name: 'plan',
  summary: 'print the KV memory plan for a preset shape',
  positionals: [{ name: 'preset', description: 'tiny, small, s15 or s110', required: true }],
  options: {
    cacheMaxEntryCount: { type: 'number', description: 'fraction of free memory for the KV cache', default: 0.5 },
    cacheGib: { type: 'number', description: 'explicit KV cache size in GiB (overrides the fraction)' },
    blockSize: { type: 'number', description: 'tokens per block', default: 16 },
    maxSeqs: { type: 'number', description: 'running sequences', default: 64 },
    kvCacheDtype: { type: 'string', description: 'float32 or int8', default: 'float32' },
  },
  async run({ options, positionals, print }) {
    const config = presetConfig(positionals[0]);
    const engineConfig = parseEngineConfig({ cacheMaxEntryCount: options.cacheMaxEntryCount, cacheGiB: options.cacheGib, blockSize: options.blockSize, maxSeqs: options.maxSeqs, kvCacheDtype: options.kvCacheDtype as 'float32' }, 'flags');
    const weightBytes = 4 * (config.vocabSize * config.hiddenSize * (config.tieWordEmbeddings ? 1 : 2) + config.numLayers * (2 * config.hiddenSize * config.numHeads * config.headDim + 2 * config.hiddenSize * config.numKvHeads * config.headDim + 3 * config.hiddenSize * config.intermediateSize));
    const result = planMemory(config, weightBytes, engineConfig, availableMemory('host', 0));
    print(formatMemoryPlan(result));
    return result;
  },
});

export const engineProgram: Program = { name: 'chainlm-engine', summary: 'chainlm inference engine: benchmarks and memory plans', commands: [bench, plan] };
