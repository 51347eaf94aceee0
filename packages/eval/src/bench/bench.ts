/**
 * `npm run bench -w packages/eval`: what batching and parallelism buy an eval,
 * each against a baseline measured in the same run, written to
 * docs/benchmarks/eval.md.
 *  1. ppl scoring on a tiny checkpoint through the engine: every candidate of a
 *     batch of items in one loglikelihood call (the engine batches them) vs one
 *     call per candidate.
 *  2. HumanEval sandbox: programs run 4 at a time vs one at a time.
 *  3. Retrieval of 4 examples for 200 items from 2,000: BM25 vs random.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDocSection } from '@chainlm/core';
import '../builtins.js';
import { loadLocalModel } from '../models/local-model.js';
import { runPythonSandboxed } from '../evaluators/python-sandbox.js';
import { mapWithLimit } from '../util/pool.js';
import { retrievers } from '../retrievers/retriever.js';
import { generateArithmetic } from '../datasets/generated-loaders.js';
import { makeTinyModelFolder } from './tiny-model.js';

interface Row {
  case: string;
  baseline: string;
  baselineMs: number;
  candidate: string;
  candidateMs: number;
}

async function time(fn: () => Promise<unknown>, repeats = 3): Promise<number> {
  await fn(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function benchPpl(): Promise<Row> {
  const model = await loadLocalModel(await makeTinyModelFolder(), { name: 'tiny' });
  const requests = Array.from({ length: 16 }, (_, item) => ['A', 'B', 'C', 'D'].map((label) => ({ context: `Question ${item}: which is it?\nAnswer:`, continuation: ` ${label}` }))).flat();
  const sequential = await time(async () => {
    for (const request of requests) await model.loglikelihood([request]);
  });
  const batched = await time(() => model.loglikelihood(requests));
  await model.close();
  return { case: 'ppl, 16 items × 4 candidates (tiny model, engine)', baseline: 'one call per candidate', baselineMs: sequential, candidate: 'one batched call', candidateMs: batched };
}

async function benchSandbox(): Promise<Row> {
  const programs = Array.from({ length: 8 }, (_, index) => `def f(x):\n    return sum(range(x))\nassert f(${index + 1000}) == ${((index + 1000) * (index + 999)) / 2}\n`);
  const run = (limit: number) => () => mapWithLimit(programs, limit, (program) => runPythonSandboxed(program, { timeoutMs: 5000, memoryMb: 256 }));
  return { case: 'HumanEval sandbox, 8 programs', baseline: 'concurrency 1', baselineMs: await time(run(1), 1), candidate: 'concurrency 4', candidateMs: await time(run(4), 1) };
}

async function benchRetrieval(): Promise<Row> {
  const { train, test } = generateArithmetic({ seed: 0, trainSize: 2000, testSize: 200, maxOperand: 999, operations: ['+', '-'] });
  const indices = test.map((_, index) => index);
  const make = (options: { type: string; k: number }) => retrievers.get(options.type).create(retrievers.get(options.type).schema.parse(options), undefined);
  const random = make({ type: 'random', k: 4 });
  const bm25 = make({ type: 'bm25', k: 4 });
  const context = { inputColumns: ['question'] };
  return {
    case: 'retrieve 4 of 2,000 examples for 200 items',
    baseline: 'random',
    baselineMs: await time(() => random.retrieve(test, indices, train, context)),
    candidate: 'bm25 (minisearch)',
    candidateMs: await time(() => bm25.retrieve(test, indices, train, context)),
  };
}

const rows = [await benchPpl(), await benchSandbox(), await benchRetrieval()];
const table = [
  '| case | baseline | baseline ms | candidate | candidate ms | ratio (baseline / candidate) |',
  '| --- | --- | ---: | --- | ---: | ---: |',
  ...rows.map((row) => `| ${row.case} | ${row.baseline} | ${row.baselineMs.toFixed(1)} | ${row.candidate} | ${row.candidateMs.toFixed(1)} | ${(row.baselineMs / row.candidateMs).toFixed(2)}× |`),
].join('\n');
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/benchmarks/eval.md');
writeDocSection(out, 'eval-bench', `## Inference and scoring\n\n\`npm run bench -w packages/eval\` (best of 3 after a warm-up; sandbox: one timed run). Machine: ${process.platform} ${process.arch}, Node ${process.version}, tfjs wasm backend, shared 2-core box, ${new Date().toISOString().slice(0, 10)}.\n\n${table}`, '# eval benchmarks');
process.stdout.write(`${table}\n\nwritten to ${out}\n`);
