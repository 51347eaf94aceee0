/** POST /v1/completions: prompt as string, strings, token ids or lists of token ids. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RequestFinishEvent } from '@chainlm/engine';
import { runEngineRequest } from '../app/run-request.js';
import { SseWriter } from '../app/sse.js';
import type { ServerContext } from '../app/context.js';
import { ApiError } from '../openai/errors.js';
import { completionLogprobs } from '../openai/logprobs.js';
import { toSampling } from '../openai/sampling.js';
import { completionRequestSchema, parseBody, type CompletionRequest } from '../openai/schemas.js';

export function completionsRoute(app: FastifyInstance, context: ServerContext): void {
  app.post('/v1/completions', async (request, reply) => {
    const body = parseBody(completionRequestSchema, request.body);
    const model = context.model(body.model);
    const prompts = promptIds(body, model.tokenizer);
    const id = `cmpl-${randomBytes(12).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    const sampling = { ...toSampling(body, context.defaults), ...(body.logprobs !== undefined && body.logprobs !== null ? { logprobs: body.logprobs } : {}) };
    if (body.echo && body.logprobs !== undefined && body.logprobs !== null) sampling.promptLogprobs = body.logprobs;
    const scoreOnly = body.max_tokens === 0;
    if (scoreOnly && !body.echo) throw new ApiError('invalidRequest', 'max_tokens: 0 needs echo: true (it only scores the prompt)', { param: 'max_tokens' });
    const tokenText = (tokenId: number) => model.tokenizer?.decode([tokenId]) ?? `<${tokenId}>`;
    const n = body.n ?? 1;
    const sse = body.stream ? new SseWriter(reply) : undefined;
    const chunk = (choices: unknown[], usage?: unknown) => ({ id, object: 'text_completion', created, model: model.id, choices, ...(usage ? { usage } : {}) });

    const finishes: RequestFinishEvent[] = [];
    await Promise.all(
      prompts.map(async (ids, promptIndex) => {
        const finish = await runEngineRequest(model.engine, { promptTokenIds: ids, sampling, ...(model.adapter ? { adapter: model.adapter } : {}) }, {
          reply,
          timeoutMs: context.requestTimeoutMs,
          onDelta: (event) => {
            if (sse && !scoreOnly) sse.send(chunk([{ index: promptIndex * n + event.index, text: event.text, logprobs: null, finish_reason: null }]));
          },
        });
        context.observe(model.id, finish.metrics);
        finishes[promptIndex] = finish;
      }),
    );
    const choices = finishes.flatMap((finish, promptIndex) =>
      finish.outputs.map((output) => {
        const promptText = body.echo ? (model.tokenizer ? model.tokenizer.decode(finish.promptTokenIds) : '') : '';
        const text = promptText + (scoreOnly ? '' : output.text);
        let logprobs = null;
        if (body.logprobs !== undefined && body.logprobs !== null) {
          const promptEntries = body.echo
            ? [{ tokenId: finish.promptTokenIds[0], logprob: null }, ...(finish.promptLogprobs ?? []).map((entry) => ({ tokenId: entry.tokenId, logprob: entry.logprob, top: entry.top }))]
            : [];
          const generated = scoreOnly ? [] : (output.logprobs ?? []).map((entry) => ({ tokenId: entry.tokenId, logprob: entry.logprob, top: entry.top }));
          logprobs = completionLogprobs([...promptEntries, ...generated], tokenText);
        }
        return { index: promptIndex * n + output.index, text, logprobs, finish_reason: scoreOnly ? 'length' : output.finishReason === 'abort' ? 'stop' : output.finishReason };
      }),
    );
    const promptTokens = finishes.reduce((sum, finish) => sum + finish.promptTokenIds.length, 0);
    const completionTokens = scoreOnly ? 0 : finishes.reduce((sum, finish) => sum + finish.outputs.reduce((inner, output) => inner + output.tokenIds.length, 0), 0);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    if (!sse) return chunk(choices, usage);
    for (const choice of choices) sse.send(chunk([{ ...choice, text: scoreOnly ? choice.text : '' }]));
    if (body.stream_options?.include_usage) sse.send({ ...chunk([]), usage });
    sse.done();
    return reply;
  });
}

function promptIds(body: CompletionRequest, tokenizer: { encode(text: string, options?: { addSpecialTokens?: boolean }): number[] } | undefined): number[][] {
  const prompt = body.prompt;
  const encode = (text: string) => {
    if (!tokenizer) throw new ApiError('invalidRequest', 'this model has no tokenizer: send prompt as token ids', { param: 'prompt' });
    return tokenizer.encode(text, { addSpecialTokens: true });
  };
  if (typeof prompt === 'string') return [encode(prompt)];
  if (prompt.every((item) => typeof item === 'string')) return (prompt as string[]).map(encode);
  if (prompt.every((item) => typeof item === 'number')) return [prompt as number[]];
  return prompt as number[][];
}
