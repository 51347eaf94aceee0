/**
 * An EvalModel over any OpenAI-compatible endpoint (chainlm-serve, vLLM,
 * LMDeploy, OpenAI). Generation uses /completions or /chat/completions;
 * log-likelihood always uses /completions with `echo: true, logprobs: 1,
 * max_tokens: 0` and reads `choices[0].logprobs.token_logprobs` over the
 * continuation's tokens. Which echoed tokens belong to the continuation:
 *  - `token-count` (default): one more echo of the context alone counts its
 *    tokens (cached per context); the continuation is every token after them.
 *    This is how LocalModel scores, so a model scores the same in-process and
 *    behind chainlm-serve. (A server's `text_offset` is built from decoded
 *    single tokens, which drift from the prompt's characters with a BOS token
 *    or SentencePiece spaces, so it is not the default.)
 *  - `text-offset`: tokens that end after the context's length in characters
 *    (one request; right for servers whose offsets are exact, like OpenAI's).
 * A null log-prob (the first token, which has nothing before it) is skipped and
 * not counted.
 */
import { z } from 'zod';
import { EvalError } from '../errors.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import type { EvalModel, GenerateRequest, GenerateResult, LoglikelihoodRequest, LoglikelihoodResult } from './eval-model.js';

export interface OpenAIModelOptions extends HttpClientOptions {
  name: string;
  model: string;
  mode: 'completions' | 'chat';
  /** 0 (default) or 1 for servers that reject max_tokens 0; the generated token is dropped. */
  echoMaxTokens: 0 | 1;
  embeddings: boolean;
  /** Default `token-count`. */
  continuationSplit?: 'token-count' | 'text-offset';
  registryId?: string;
}

const logprobsSchema = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number().nullable()),
  text_offset: z.array(z.number()).optional(),
});
const completionSchema = z.object({
  choices: z.array(z.object({ index: z.number().optional(), text: z.string().optional(), logprobs: logprobsSchema.nullable().optional() })).min(1),
});
const chatSchema = z.object({
  choices: z.array(z.object({ index: z.number().optional(), message: z.object({ content: z.string().nullable() }) })).min(1),
});
const embeddingSchema = z.object({ data: z.array(z.object({ index: z.number().optional(), embedding: z.array(z.number()) })) });

/** OpenAI accepts at most 4 stop strings; the rest are applied client-side. */
const maxServerStops = 4;

export class OpenAICompatibleModel implements EvalModel {
  readonly name: string;
  readonly registryId?: string;
  readonly identity: Record<string, unknown>;
  readonly client: HttpClient;
  private readonly contextTokenCounts = new Map<string, number>();

  constructor(private readonly options: OpenAIModelOptions) {
    this.name = options.name;
    this.registryId = options.registryId;
    this.identity = { type: 'openai', baseUrl: options.baseUrl, model: options.model, mode: options.mode };
    this.client = new HttpClient(options);
    if (options.embeddings) this.embed = (texts) => this.embedTexts(texts);
  }

  embed?: (texts: readonly string[]) => Promise<number[][]>;

  generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]> {
    return Promise.all(requests.map((request) => this.generateOne(request)));
  }

  loglikelihood(requests: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    return Promise.all(requests.map((request) => this.loglikelihoodOne(request)));
  }

  private async generateOne(request: GenerateRequest): Promise<GenerateResult> {
    const common = {
      model: this.options.model,
      max_tokens: request.maxTokens,
      temperature: request.temperature ?? 0,
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.n !== undefined && request.n > 1 ? { n: request.n } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.stop && request.stop.length > 0 ? { stop: request.stop.slice(0, maxServerStops) } : {}),
    };
    let texts: string[];
    if (this.options.mode === 'chat') {
      const body = { ...common, messages: [{ role: 'user', content: request.prompt }] };
      const parsed = this.parse(chatSchema, await this.client.postJson('/chat/completions', body), '/chat/completions');
      texts = sortByIndex(parsed.choices).map((choice) => choice.message.content ?? '');
    } else {
      const parsed = this.parse(completionSchema, await this.client.postJson('/completions', { ...common, prompt: request.prompt }), '/completions');
      texts = sortByIndex(parsed.choices).map((choice) => choice.text ?? '');
    }
    return { texts: texts.map((text) => truncateAtStop(text, request.stop ?? [])) };
  }

  private async echo(prompt: string): Promise<z.infer<typeof logprobsSchema>> {
    const body = { model: this.options.model, prompt, max_tokens: this.options.echoMaxTokens, echo: true, logprobs: 1, temperature: 0 };
    const parsed = this.parse(completionSchema, await this.client.postJson('/completions', body), '/completions (echo)');
    const logprobs = parsed.choices[0].logprobs;
    if (!logprobs) {
      throw new EvalError('eval-model-response', `model "${this.name}": /completions returned no logprobs for an echo request`, 'the endpoint must support `echo: true` with `logprobs`; use a gen-mode dataset otherwise', 1);
    }
    const keep = logprobs.tokens.length - this.options.echoMaxTokens;
    return {
      tokens: logprobs.tokens.slice(0, keep),
      token_logprobs: logprobs.token_logprobs.slice(0, keep),
      text_offset: logprobs.text_offset?.slice(0, keep),
    };
  }

  private async loglikelihoodOne(request: LoglikelihoodRequest): Promise<LoglikelihoodResult> {
    const full = request.context + request.continuation;
    const logprobs = await this.echo(full);
    const byOffset = this.options.continuationSplit === 'text-offset' && logprobs.text_offset !== undefined;
    const first = byOffset ? firstContinuationByOffset(logprobs.text_offset!, request.context.length, full.length) : await this.contextTokenCount(request.context);
    let logprob = 0;
    let tokenCount = 0;
    for (let i = first; i < logprobs.token_logprobs.length; i++) {
      const value = logprobs.token_logprobs[i];
      if (value === null) continue;
      logprob += value;
      tokenCount++;
    }
    return { logprob, tokenCount };
  }

  private async contextTokenCount(context: string): Promise<number> {
    if (context === '') return 0;
    const cached = this.contextTokenCounts.get(context);
    if (cached !== undefined) return cached;
    const count = (await this.echo(context)).tokens.length;
    this.contextTokenCounts.set(context, count);
    return count;
  }

  private async embedTexts(texts: readonly string[]): Promise<number[][]> {
    const parsed = this.parse(embeddingSchema, await this.client.postJson('/embeddings', { model: this.options.model, input: texts }), '/embeddings');
    if (parsed.data.length !== texts.length) {
      throw new EvalError('eval-model-response', `model "${this.name}": /embeddings returned ${parsed.data.length} vectors for ${texts.length} inputs`, 'check the endpoint', 1);
    }
    return sortByIndex(parsed.data).map((item) => item.embedding);
  }

  private parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
    const result = schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new EvalError('eval-model-response', `model "${this.name}": unexpected ${where} response at ${issue.path.join('.') || '(root)'}: ${issue.message}`, 'is this an OpenAI-compatible endpoint?', 1);
    }
    return result.data;
  }
}

/** Index of the first token that ends after the context (and starts inside the prompt). */
export function firstContinuationByOffset(offsets: readonly number[], contextLength: number, promptLength: number): number {
  for (let i = 0; i < offsets.length; i++) {
    const end = i + 1 < offsets.length ? offsets[i + 1] : promptLength;
    if (end > contextLength) return i;
  }
  return offsets.length;
}

export function truncateAtStop(text: string, stops: readonly string[]): string {
  let end = text.length;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

function sortByIndex<T extends { index?: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}
