/**
 * Quantization report on stories260K (real weights): stored bytes, perplexity on
 * held-out token sequences, and decode speed, for fp32, W8A16, W4A16 and W4A16 with
 * AWQ calibration. No tokenizer matches this checkpoint, so the held-out "text" is
 * token sequences the fp32 model itself sampled at temperature 1 (seeds unused by
 * the calibration set): its perplexity on them is the reference and the quantized
 * models' rise above it is the quantization loss.
 */
import type { Model } from '@chainlm/model';
import { Engine } from '../engine/engine.js';
import { stepModelFrom } from '../model/step-model.js';
import { createQuantizedModel, quantizeModel, quantizedModelBytes } from '../quant/quantize-model.js';
import { round } from './stats.js';

export interface QuantBenchRow {
  variant: string;
  weightMiB: number;
  perplexity: number;
  perplexityChangePercent: number;
  decodeTokensPerSecond: number;
}

function engineFor(model: Model): Engine {
  return new Engine(stepModelFrom(model), { config: { cacheGiB: 0.02, blockSize: 16, maxSeqs: 16, capToUsable: false } });
}

async function sample(model: Model, seeds: number[], length: number): Promise<number[][]> {
  const engine = engineFor(model);
  const runs = seeds.map(
    (seed) =>
      new Promise<number[]>((resolve) =>
        engine.addRequest({ promptTokenIds: [1], sampling: { temperature: 1, seed, maxTokens: length, ignoreEos: true } }, (event) => event.type === 'request-finish' && resolve([1, ...event.outputs[0].tokenIds])),
      ),
  );
  const out = await Promise.all(runs);
  await engine.close();
  return out;
}

/** exp(mean NLL) of each sequence's tokens after the first, from prompt logprobs. */
async function perplexity(model: Model, sequences: number[][]): Promise<number> {
  const engine = engineFor(model);
  const totals = await Promise.all(
    sequences.map(
      (promptTokenIds) =>
        new Promise<{ nll: number; count: number }>((resolve) =>
          engine.addRequest({ promptTokenIds, sampling: { temperature: 0, maxTokens: 1, promptLogprobs: 0 } }, (event) => {
            if (event.type === 'request-finish') resolve({ nll: -event.promptLogprobs!.reduce((sum, entry) => sum + entry.logprob, 0), count: event.promptLogprobs!.length });
          }),
        ),
    ),
  );
  await engine.close();
  const nll = totals.reduce((sum, total) => sum + total.nll, 0);
  return Math.exp(nll / totals.reduce((sum, total) => sum + total.count, 0));
}

async function decodeSpeed(model: Model, batch: number, tokens: number): Promise<number> {
  const engine = engineFor(model);
  const started = performance.now();
  await Promise.all(Array.from({ length: batch }, (_, index) => new Promise<void>((resolve) => engine.addRequest({ promptTokenIds: [1, 3 + index], sampling: { temperature: 0, maxTokens: tokens, ignoreEos: true } }, (event) => event.type === 'request-finish' && resolve()))));
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  return (batch * tokens) / seconds;
}

export async function runQuantBench(model: Model, log: (line: string) => void = () => {}): Promise<QuantBenchRow[]> {
  const heldOut = await sample(model, [101, 102, 103, 104, 105, 106, 107, 108], 200);
  const calibration = await sample(model, [1, 2, 3, 4], 128);
  const variants: { name: string; build: () => { model: Model; bytes: number } }[] = [
    { name: 'fp32', build: () => ({ model, bytes: model.parameters().reduce((sum, parameter) => sum + parameter.variable.size * 4, 0) }) },
    ...([['w8a16', 8], ['w4a16', 4]] as const).map(([name, bits]) => ({ name, build: () => built(quantizeModel(model, { bits, groupSize: 32 })) })),
    { name: 'w4a16 + AWQ', build: () => built(quantizeModel(model, { bits: 4, groupSize: 32, calibrationTokenIds: calibration })) },
  ];
  const rows: QuantBenchRow[] = [];
  for (const variant of variants) {
    const { model: candidate, bytes } = variant.build();
    const ppl = await perplexity(candidate, heldOut);
    const speed = await decodeSpeed(candidate, 16, 64);
    const reference = rows[0]?.perplexity ?? ppl;
    rows.push({ variant: variant.name, weightMiB: round(bytes / 1024 ** 2, 3), perplexity: round(ppl, 3), perplexityChangePercent: round(((ppl - reference) / reference) * 100, 2), decodeTokensPerSecond: round(speed) });
    log(`quant ${variant.name}: ppl ${rows.at(-1)!.perplexity}, ${rows.at(-1)!.weightMiB} MiB`);
    if (candidate !== model) candidate.dispose();
  }
  return rows;
}

function built(quantized: ReturnType<typeof quantizeModel>): { model: Model; bytes: number } {
  return { model: createQuantizedModel(quantized), bytes: quantizedModelBytes(quantized) };
}
