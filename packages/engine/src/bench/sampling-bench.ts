/**
 * Sampling one token from a 32 000-entry logits row: the model's processor list
 * (@chainlm/model: penalties, temperature, top-k, top-p, min-p as one-rule in-place
 * passes, then a draw) against the engine's sampleRow (the same penalty processors,
 * then one fused candidate pass). Both run in this process on the same rows; the
 * ratio is processors ÷ fused (> 1: fused is faster). Decides whether the engine's
 * hot path keeps its fused loop (see sampler.ts).
 *
 *   npm run build && node packages/engine/dist/bench/sampling-bench.js [--write]
 */
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { argmax, buildLogitsProcessors, createRng, resolveSamplingOptions, sampleFromLogits } from '@chainlm/model';
import { applyPenalties, sampleFused, usesFusedPass } from '../sampling/sampler.js';
import { parseSamplingParams, type SamplingParamsInput } from '../sampling/sampling-params.js';

const vocab = 32_000;

export interface SamplingBenchRow {
  rule: string;
  row: 'peaked' | 'flat';
  processorsMs: number;
  fusedMs: number;
  ratio: number;
  /** What sampleRow runs for these params. */
  sampleRowUses: 'fused' | 'processors';
}

const cases: { rule: string; params: SamplingParamsInput }[] = [
  { rule: 'greedy', params: { temperature: 0 } },
  { rule: 'T 0.8', params: { temperature: 0.8 } },
  { rule: 'T 0.8, top-k 40', params: { temperature: 0.8, topK: 40 } },
  { rule: 'T 0.8, top-p 0.9', params: { temperature: 0.8, topP: 0.9 } },
  { rule: 'T 0.8, min-p 0.05', params: { temperature: 0.8, minP: 0.05 } },
  { rule: 'T 0.8, top-k 40, top-p 0.9, rep 1.1', params: { temperature: 0.8, topK: 40, topP: 0.9, repetitionPenalty: 1.1 } },
];

function logitsRow(spread: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: vocab }, () => spread * rng.normal());
}

/** Median ms per call over `rounds` rounds of `perRound` calls. */
function time(run: () => void, rounds = 7, perRound = 8): number {
  run();
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let call = 0; call < perRound; call++) run();
    samples.push((performance.now() - started) / perRound);
  }
  return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

export function runSamplingBench(): SamplingBenchRow[] {
  const rows: SamplingBenchRow[] = [];
  const tokenIds = Array.from({ length: 64 }, (_, index) => (index * 997) % vocab);
  for (const [kind, spread] of [['peaked', 4], ['flat', 0.05]] as const) {
    const raw = logitsRow(spread, 11);
    for (const { rule, params } of cases) {
      const parsed = parseSamplingParams(params);
      const { maxTokens: _maxTokens, stop: _stop, stopTokenIds: _stopIds, ignoreEos: _ignoreEos, n: _n, logprobs: _logprobs, promptLogprobs: _promptLogprobs, ...rules } = parsed;
      const processors = buildLogitsProcessors(resolveSamplingOptions(rules));
      const rng = createRng(5);
      const processorsMs = time(() => {
        const logits = Float32Array.from(raw);
        for (const processor of processors) processor(logits, { ids: tokenIds, promptLength: 32 });
        if (parsed.temperature === 0) argmax(logits);
        else sampleFromLogits(logits, rng);
      });
      // The same penalties (the model's processors), then the fused pass; greedy is argmax on both sides.
      const fusedMs = time(() => {
        const logits = Float32Array.from(raw);
        applyPenalties(logits, parsed, { tokenIds, promptLength: 32 });
        if (parsed.temperature === 0) argmax(logits);
        else sampleFused(logits, parsed, rng);
      });
      const sampleRowUses = parsed.temperature !== 0 && usesFusedPass(parsed, vocab) ? 'fused' : 'processors';
      rows.push({ rule, row: kind, processorsMs: round(processorsMs), fusedMs: round(fusedMs), ratio: round(processorsMs / fusedMs, 2), sampleRowUses });
    }
  }
  return rows;
}

function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

export function samplingMarkdown(rows: SamplingBenchRow[]): string {
  const machine = `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  return [
    '# Sampling: model processor list vs the engine\'s fused pass',
    '',
    `Command: \`node packages/engine/dist/bench/sampling-bench.js --write\` — ${machine}. One token from a ${vocab}-entry logits row (peaked: N(0, 4²) logits; flat: N(0, 0.05²)), median ms per row (a copy of the row, the penalties, the rules, the draw); ratio = processors ÷ fused, both measured in the same run. Greedy is argmax after the penalties on both sides (no warper runs), so its ratio shows the noise: measured on 2 cores shared with other builds and tests, read ratios below ~3x as ties.`,
    '',
    '| rule | row | processors ms | fused ms | ratio | sampleRow uses |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.rule} | ${row.row} | ${row.processorsMs} | ${row.fusedMs} | ${row.ratio}x | ${row.sampleRowUses} |`),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = runSamplingBench();
  const markdown = samplingMarkdown(rows);
  process.stdout.write(markdown);
  if (process.argv.includes('--write')) {
    const target = new URL('../../../../docs/benchmarks/sampling.md', import.meta.url);
    if (!existsSync(target) || readFileSync(target, 'utf8') !== markdown) writeFileSync(target, markdown);
  }
}
