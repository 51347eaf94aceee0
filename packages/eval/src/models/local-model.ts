/**
 * An EvalModel run in-process through @chainlm/engine (paged KV cache,
 * continuous batching): every request of a call is queued at once, so the
 * engine batches them. Log-likelihood scores the same way as through
 * chainlm-serve with the OpenAI client (`continuationSplit: token-count`):
 * the prompt is tokenised with special tokens (BOS), the context's token count
 * is its own encoding's length, and the continuation is every prompt token after
 * it that has a log-prob (the first prompt token has none). So a model scores
 * identically in-process and served.
 */
import { resolve } from 'node:path';
import { loadEngine, type EngineConfigInput, type RequestFinishEvent, type ServingEngine, type TokenizerLike } from '@chainlm/engine';
import { EvalError } from '../errors.js';
import type { EvalModel, GenerateRequest, GenerateResult, LoglikelihoodRequest, LoglikelihoodResult } from './eval-model.js';
import { truncateAtStop } from './openai-compatible-model.js';

export interface LocalModelOptions {
  name: string;
  identity?: Record<string, unknown>;
  registryId?: string;
  /** Prompt + output tokens a request may use; a longer generation prompt loses tokens from its left (as lm-eval does). */
  contextLength?: number;
}

export class LocalModel implements EvalModel {
  readonly name: string;
  readonly identity: Record<string, unknown>;
  readonly registryId?: string;
  readonly contextLength: number | undefined;

  constructor(
    readonly engine: ServingEngine,
    readonly tokenizer: TokenizerLike,
    options: LocalModelOptions,
  ) {
    this.name = options.name;
    this.identity = options.identity ?? { type: 'local', name: options.name };
    this.registryId = options.registryId;
    this.contextLength = options.contextLength;
  }

  generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]> {
    return Promise.all(
      requests.map(async (request) => {
        const { ids, truncatedTokens } = this.fitPrompt(this.encode(request.prompt), request.maxTokens);
        const finish = await this.run(ids, {
          maxTokens: request.maxTokens,
          temperature: request.temperature ?? 0,
          ...(request.topP !== undefined ? { topP: request.topP } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
          n: request.n ?? 1,
          stop: request.stop ?? [],
        });
        const texts = [...finish.outputs].sort((a, b) => a.index - b.index).map((output) => truncateAtStop(output.text, request.stop ?? []));
        return { texts, ...(truncatedTokens > 0 ? { truncatedTokens } : {}) };
      }),
    );
  }

  /**
   * lm-eval's rule for generation: keep the prompt's last tokens so that prompt +
   * maxTokens fits the context (the engine needs the prompt strictly shorter than
   * the context). The special tokens the tokenizer puts first (BOS) stay, so the
   * model still sees a sequence start. Loglikelihood requests are never cut: a
   * truncated context would change what is scored.
   */
  private fitPrompt(ids: number[], maxTokens: number): { ids: number[]; truncatedTokens: number } {
    if (this.contextLength === undefined) return { ids, truncatedTokens: 0 };
    const room = this.contextLength - 1 - Math.min(maxTokens, this.contextLength - 2); // prompt tokens that fit
    if (ids.length <= room) return { ids, truncatedTokens: 0 };
    this.specialPrefix ??= this.encode('');
    let head = 0;
    while (head < this.specialPrefix.length && head < ids.length && ids[head] === this.specialPrefix[head]) head++;
    head = Math.min(head, room - 1);
    const kept = [...ids.slice(0, head), ...ids.slice(ids.length - (room - head))];
    return { ids: kept, truncatedTokens: ids.length - kept.length };
  }

  /** What the tokenizer adds to an empty text (BOS): kept at the front of a cut prompt. */
  private specialPrefix: number[] | undefined;

  loglikelihood(requests: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    return Promise.all(
      requests.map(async (request) => {
        const ids = this.encode(request.context + request.continuation);
        const contextLength = request.context === '' ? 0 : this.encode(request.context).length;
        const finish = await this.run(ids, { maxTokens: 1, temperature: 0, promptLogprobs: 0 });
        let logprob = 0;
        let tokenCount = 0;
        // promptLogprobs[i] is prompt token i + 1's log-prob.
        for (const entry of finish.promptLogprobs ?? []) {
          if (entry.position < contextLength) continue;
          logprob += entry.logprob;
          tokenCount++;
        }
        return { logprob, tokenCount };
      }),
    );
  }

  async close(): Promise<void> {
    await this.engine.close();
  }

  private encode(text: string): number[] {
    return this.tokenizer.encode(text, { addSpecialTokens: true });
  }

  private run(promptTokenIds: number[], sampling: Record<string, unknown>): Promise<RequestFinishEvent> {
    if (promptTokenIds.length === 0) {
      return Promise.reject(new EvalError('eval-model-request', `model "${this.name}": an empty prompt encodes to no tokens`, 'give the prompt some text, or use a tokenizer with a BOS token', 1));
    }
    return new Promise((resolveFinish, rejectFinish) => {
      try {
        this.engine.addRequest({ promptTokenIds, sampling }, (event) => {
          if (event.type === 'request-finish') resolveFinish(event);
        });
      } catch (error) {
        rejectFinish(error);
      }
    });
  }
}

export interface LoadLocalModelOptions {
  name: string;
  /** A PEFT LoRA adapter folder merged into the weights before inference. */
  adapter?: string;
  engine?: EngineConfigInput;
  registryId?: string;
}

/** Loads a model folder (HF or quantized, with its tokenizer) behind an engine: the engine's `loadEngine`, as chainlm-serve does. */
export async function loadLocalModel(path: string, options: LoadLocalModelOptions): Promise<LocalModel> {
  const loaded = await loadEngine(path, { ...(options.adapter ? { adapter: options.adapter } : {}), ...(options.engine ? { engine: options.engine } : {}) });
  if (!loaded.tokenizer) {
    await loaded.engine.close();
    throw new EvalError('eval-model-capability', `${loaded.dir} has no tokenizer`, 'text evaluation needs tokenizer.json (or tokenizer.model) in the model folder', 2);
  }
  return new LocalModel(loaded.engine, loaded.tokenizer, {
    name: options.name,
    contextLength: loaded.contextLength,
    registryId: options.registryId,
    identity: { type: 'local', path: loaded.dir, adapter: options.adapter ? resolve(options.adapter) : undefined, engine: options.engine },
  });
}
