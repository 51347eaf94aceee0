/**
 * Dynamic-benchmark request traces. With ../shared/datasets/sharegpt present, the
 * prompt lengths come from ShareGPT V3 first turns (≈ characters / 4 tokens, the
 * usual English ratio: no tokenizer matches a random-weight model). The shared
 * file has no replies, so output lengths are drawn from a log-normal fitted to
 * ShareGPT reply lengths (median ≈ 200 tokens, σ ≈ 0.9); without the file, prompt
 * lengths come from a log-normal too (median ≈ 80 tokens). Both are scaled by
 * `lengthScale` and clipped so the run fits a 2-core machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { seededRandom } from './stats.js';

export interface TraceRequest {
  arrivalMs: number;
  inputLength: number;
  outputLength: number;
}

export interface TraceOptions {
  numRequests: number;
  /** 'poisson' at `rate` requests/s, or every request at t = 0. */
  arrival: 'poisson' | 'all-at-once';
  rate: number;
  lengthScale: number;
  maxInput: number;
  maxOutput: number;
  sharegptDir?: string;
  seed?: number;
}

const sharegptSchema = z.array(z.object({ conversations: z.array(z.object({ value: z.string() })).min(1) }));

export function buildTrace(options: TraceOptions): { requests: TraceRequest[]; source: string } {
  const random = seededRandom(options.seed ?? 17);
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  const file = options.sharegptDir ? join(options.sharegptDir, 'sharegpt_v3_first_turn_500.json') : undefined;
  let promptChars: number[] | undefined;
  if (file && existsSync(file)) promptChars = sharegptSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).map((item) => item.conversations[0].value.length);
  const clip = (value: number, max: number) => Math.max(4, Math.min(max, Math.round(value * options.lengthScale)));
  let clock = 0;
  const requests: TraceRequest[] = [];
  for (let index = 0; index < options.numRequests; index++) {
    if (options.arrival === 'poisson' && index > 0) clock += (-Math.log(1 - random()) / options.rate) * 1000;
    const inputTokens = promptChars ? promptChars[index % promptChars.length] / 4 : logNormal(80, 0.9);
    requests.push({ arrivalMs: clock, inputLength: clip(inputTokens, options.maxInput), outputLength: clip(logNormal(200, 0.9), options.maxOutput) });
  }
  return { requests, source: promptChars ? `${file} (prompt lengths), log-normal output lengths` : 'generated (log-normal prompt and output lengths)' };
}
