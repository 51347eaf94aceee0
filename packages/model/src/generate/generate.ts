/**
 * Autoregressive generation for one prompt: prefill through forwardStep into a
 * contiguous KvCache, then one token per step. Stops at a stop id (default: the
 * config's EOS), a stop string (needs a tokenizer), maxNewTokens, or an abort.
 * Streaming: `onToken` gets each id; `onText` gets text as it becomes final — held
 * back while it ends in a partial UTF-8 character (U+FFFD) or in a prefix of a stop
 * string, flushed at the end — so the deltas concatenate to exactly `result.text`.
 */
import { ChainlmError } from '@chainlm/core';
import type { Tokenizer } from '../tokenizer/types.js';
import type { Model } from '../model/create-model.js';
import { forwardStep } from '../model/forward-step.js';
import { KvCache } from '../model/kv-cache.js';
import { createRng } from './rng.js';
import { buildLogitsProcessors, nextToken, resolveSamplingOptions, type SamplingOptions } from './sampling.js';
import { findStopString, pendingStopPrefix } from './stop.js';

export interface TokenEvent {
  id: number;
  /** 0-based index among the generated tokens. */
  index: number;
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Default: the config's eosTokenId. Pass [] to never stop on an id. */
  stopIds?: number[];
  stopStrings?: string[];
  tokenizer?: Pick<Tokenizer, 'decode'>;
  onToken?: (event: TokenEvent) => void;
  /** Text deltas (only with a tokenizer). */
  onText?: (delta: string) => void;
  signal?: AbortSignal;
}

export interface GenerateResult {
  /** Generated ids only (no prompt, no stop id). */
  ids: number[];
  /** Decoded generated text (cut before a stop string); null without a tokenizer. */
  text: string | null;
  finishReason: 'stop' | 'length' | 'abort';
  /** The stop id or stop string that ended generation. */
  stoppedBy?: number | string;
}

function configStopIds(model: Model): number[] {
  const eos = model.config.eosTokenId;
  return eos === null ? [] : Array.isArray(eos) ? [...eos] : [eos as number];
}

function checkGenerate(model: Model, promptIds: readonly number[], options: GenerateOptions): void {
  const fail = (message: string, hint: string): never => {
    throw new ChainlmError('generate-options', message, { hint, exitCode: 2 });
  };
  if (promptIds.length === 0) fail('the prompt is empty', 'start from at least the BOS token id');
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 0) fail(`maxNewTokens must be a non-negative integer (got ${options.maxNewTokens})`, 'e.g. maxNewTokens: 64');
  if (options.stopStrings?.length && !options.tokenizer) fail('stopStrings need a tokenizer to decode the text', 'pass tokenizer, or use stopIds');
  for (const id of promptIds) if (!(Number.isInteger(id) && id >= 0 && id < model.config.vocabSize)) fail(`prompt token id ${id} is outside the vocabulary [0, ${model.config.vocabSize})`, 'check that the tokenizer matches the model');
}

export async function generate(model: Model, promptIds: readonly number[], options: GenerateOptions): Promise<GenerateResult> {
  checkGenerate(model, promptIds, options);
  const sampling = resolveSamplingOptions({
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.topK !== undefined ? { topK: options.topK } : {}),
    ...(options.topP !== undefined ? { topP: options.topP } : {}),
    ...(options.minP !== undefined ? { minP: options.minP } : {}),
    ...(options.repetitionPenalty !== undefined ? { repetitionPenalty: options.repetitionPenalty } : {}),
    ...(options.presencePenalty !== undefined ? { presencePenalty: options.presencePenalty } : {}),
    ...(options.frequencyPenalty !== undefined ? { frequencyPenalty: options.frequencyPenalty } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const processors = buildLogitsProcessors(sampling);
  const rng = createRng(sampling.seed ?? Math.floor(Math.random() * 2 ** 32));
  const stopIds = new Set(options.stopIds ?? configStopIds(model));
  const stopStrings = options.stopStrings ?? [];
  const tokenizer = options.tokenizer;
  const ids = [...promptIds];
  const generated: number[] = [];
  const cache = new KvCache(model.config, { numSequences: 1, maxLength: promptIds.length + Math.max(options.maxNewTokens, 1) });
  let pending = Int32Array.from(promptIds);
  let emitted = 0;
  let text = '';
  const finish = (finishReason: GenerateResult['finishReason'], stoppedBy?: number | string): GenerateResult => {
    if (tokenizer && emitted < text.length) options.onText?.(text.slice(emitted));
    return { ids: generated, text: tokenizer ? text : null, finishReason, ...(stoppedBy !== undefined ? { stoppedBy } : {}) };
  };

  for (let index = 0; index < options.maxNewTokens; index++) {
    if (options.signal?.aborted) return finish('abort');
    const positions = cache.beginStep(new Int32Array(pending.length));
    const logitsTensor = forwardStep(model, { tokenIds: pending, positions, attention: cache, logitRows: Int32Array.of(pending.length - 1) });
    const logits = Float32Array.from(await logitsTensor.data());
    logitsTensor.dispose();
    const id = nextToken(logits, processors, { ids, promptLength: promptIds.length }, sampling.temperature === 0, rng);
    if (stopIds.has(id)) return finish('stop', id);
    ids.push(id);
    generated.push(id);
    pending = Int32Array.of(id);
    options.onToken?.({ id, index });
    if (!tokenizer) continue;
    const decoded = tokenizer.decode(generated);
    const stop = findStopString(decoded, stopStrings, text.length);
    text = stop ? decoded.slice(0, stop.textEnd) : decoded;
    if (stop) return finish('stop', stop.stopString);
    let hold = pendingStopPrefix(text, stopStrings);
    while (hold < text.length && text[text.length - 1 - hold] === '\uFFFD') hold++;
    if (text.length - hold > emitted) {
      options.onText?.(text.slice(emitted, text.length - hold));
      emitted = text.length - hold;
    }
  }
  return finish('length');
}
