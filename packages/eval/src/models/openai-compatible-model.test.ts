import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, tokenize, tokenLogprob, type TestServer, type TestServerOptions } from '../__tests__/openai-test-server.js';
import { EvalError } from '../errors.js';
import { OpenAICompatibleModel, firstContinuationByOffset, truncateAtStop, type OpenAIModelOptions } from './openai-compatible-model.js';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function setup(serverOptions: TestServerOptions = {}, modelOptions: Partial<OpenAIModelOptions> = {}) {
  const server = await startTestServer(serverOptions);
  servers.push(server);
  const model = new OpenAICompatibleModel({
    name: 'toy',
    baseUrl: server.url,
    model: 'toy',
    mode: 'completions',
    concurrency: 4,
    maxRetries: 5,
    retryBaseMs: 1,
    retryMaxMs: 5,
    timeoutMs: 5000,
    echoMaxTokens: 0,
    embeddings: false,
    ...modelOptions,
  });
  return { server, model };
}

/** What the toy server's log-likelihood of `continuation` after `context` is, by hand. */
function expectedLoglikelihood(context: string, continuation: string) {
  const full = context + continuation;
  let at = 0;
  let logprob = 0;
  let tokenCount = 0;
  for (const token of tokenize(full)) {
    if (at + token.length > context.length && at > 0) {
      logprob += tokenLogprob(full.slice(0, at), token);
      tokenCount++;
    }
    at += token.length;
  }
  return { logprob, tokenCount };
}

const pairs = [
  { context: 'Question: 2+2?\nAnswer:', continuation: ' four' },
  { context: 'The cat sat on the', continuation: ' mat and the cat' },
  { context: '', continuation: 'Hello there world' },
];

describe('OpenAICompatibleModel', () => {
  it('generates through /completions with stops, n samples and max_tokens', async () => {
    const { model, server } = await setup({}, {});
    const [sum, mcq, many] = await model.generate([
      { prompt: '12+7=', maxTokens: 4, stop: ['\n'] },
      { prompt: 'Q\nA. x\nB. y\nAnswer:', maxTokens: 4, stop: ['\n'] },
      { prompt: 'x', maxTokens: 1, n: 3, temperature: 0.7 },
    ]);
    expect(sum.texts).toEqual(['19']);
    expect(mcq.texts).toEqual([' B']);
    expect(many.texts).toEqual([' lorem', ' lorem', ' lorem']);
    expect(server.counts.byPath['/v1/completions']).toBe(3);
  });

  it('generates through /chat/completions in chat mode', async () => {
    const { model, server } = await setup({}, { mode: 'chat' });
    const [result] = await model.generate([{ prompt: '40+3=', maxTokens: 4, stop: ['\n'] }]);
    expect(result.texts).toEqual(['43']);
    expect(server.counts.byPath['/v1/chat/completions']).toBe(1);
  });

  it('applies stop strings beyond the four a server accepts', () => {
    expect(truncateAtStop('abcdef', ['x', 'y', 'z', 'w', 'd'])).toBe('abc');
  });

  it('scores log-likelihood over the continuation tokens only (text-offset split)', async () => {
    const { model, server } = await setup({}, { continuationSplit: 'text-offset' });
    const results = await model.loglikelihood(pairs);
    results.forEach((result, index) => {
      const expected = expectedLoglikelihood(pairs[index].context, pairs[index].continuation);
      expect(result.tokenCount).toBe(expected.tokenCount);
      expect(result.logprob).toBeCloseTo(expected.logprob, 12);
    });
    expect(results[0].tokenCount).toBe(1);
    expect(results[1].tokenCount).toBe(4);
    expect(results[2].tokenCount).toBe(2); // the first echoed token has no log-prob
    expect(server.counts.echoRequests).toBe(3);
  });

  it('by default counts context tokens with an extra echo (cached per context), agreeing with the offsets', async () => {
    const { model, server } = await setup({ textOffset: false });
    const withOffsets = await (await setup({}, { continuationSplit: 'text-offset' })).model.loglikelihood(pairs);
    expect(await model.loglikelihood(pairs)).toEqual(withOffsets);
    expect(await model.loglikelihood([pairs[0]])).toEqual([withOffsets[0]]);
    expect(server.counts.echoRequests).toBe(3 + 2 + 1); // 3 scored, 2 non-empty contexts counted once, then 1 scored
  });

  it('drops the generated token when echoMaxTokens is 1', async () => {
    const { model } = await setup({}, { echoMaxTokens: 1, continuationSplit: 'text-offset' });
    const { model: counting } = await setup({}, { echoMaxTokens: 1 });
    expect(await counting.loglikelihood([pairs[1]])).toEqual(await model.loglikelihood([pairs[1]]));
    const expected = expectedLoglikelihood(pairs[1].context, pairs[1].continuation);
    const [result] = await model.loglikelihood([pairs[1]]);
    expect(result.tokenCount).toBe(expected.tokenCount);
    expect(result.logprob).toBeCloseTo(expected.logprob, 12);
  });

  it('retries 429s, 500s and dropped connections and gets the same answers', async () => {
    const clean = await (await setup()).model.loglikelihood(pairs);
    const { model, server } = await setup({ every429: 3, every500: 5, everyDrop: 4 });
    const results = await model.loglikelihood([...pairs, ...pairs]);
    expect(results).toEqual([...clean, ...clean]);
    expect(server.counts.failuresInjected).toBeGreaterThanOrEqual(2);
    expect(model.client.stats.retries).toBe(server.counts.failuresInjected);
  });

  it('gives up after maxRetries with an error that says what to do', async () => {
    const { model, server } = await setup({ every500: 1 }, { maxRetries: 2 });
    const failure = model.generate([{ prompt: 'x', maxTokens: 1 }]);
    await expect(failure).rejects.toBeInstanceOf(EvalError);
    await expect(failure).rejects.toMatchObject({ code: 'eval-model-request', message: expect.stringMatching(/failed after 3 attempts: HTTP 500/) });
    expect(server.counts.requests).toBe(3);
  });

  it('does not retry a 4xx other than 429', async () => {
    const server = await startTestServer();
    servers.push(server);
    const model = new OpenAICompatibleModel({ name: 'x', baseUrl: `${server.url}/wrong`, model: 'toy', mode: 'completions', concurrency: 1, maxRetries: 5, retryBaseMs: 1, retryMaxMs: 5, timeoutMs: 5000, echoMaxTokens: 0, embeddings: false });
    await expect(model.generate([{ prompt: 'x', maxTokens: 1 }])).rejects.toMatchObject({ message: expect.stringMatching(/HTTP 404/) });
    expect(server.counts.requests).toBe(1);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const { model, server } = await setup({ delayMs: 15 }, { concurrency: 2 });
    await model.generate(Array.from({ length: 8 }, (_, index) => ({ prompt: `${index}+1=`, maxTokens: 2 })));
    expect(server.counts.maxInFlight).toBe(2);
  });

  it('embeds through /embeddings when enabled, and only then', async () => {
    const { model } = await setup({}, { embeddings: true });
    const vectors = await model.embed!(['paris tower', 'paris tower', 'water']);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toEqual(vectors[1]);
    expect(vectors[0]).not.toEqual(vectors[2]);
    expect((await setup()).model.embed).toBeUndefined();
  });

  it('rejects a response that is not OpenAI-shaped, naming where', async () => {
    const { model } = await setup({ malformed: true });
    await expect(model.loglikelihood([pairs[0]])).rejects.toMatchObject({
      code: 'eval-model-response',
      message: 'model "toy": unexpected /completions (echo) response at choices: Too small: expected array to have >=1 items',
    });
  });
});

describe('OpenAICompatibleModel guards', () => {
  it('rejects a response that is not JSON', async () => {
    const { model } = await setup({ html: true });
    await expect(model.generate([{ prompt: 'x', maxTokens: 1 }])).rejects.toMatchObject({
      code: 'eval-model-response',
      message: expect.stringContaining('the response is not JSON: <html>'),
      hint: expect.stringContaining('http://host:8000/v1'),
    });
  });
});

describe('firstContinuationByOffset', () => {
  it('finds the first token that ends after the context, including one straddling it', () => {
    // tokens: "ab" [0,2) "cd" [2,4) "ef" [4,6)
    expect(firstContinuationByOffset([0, 2, 4], 4, 6)).toBe(2);
    expect(firstContinuationByOffset([0, 2, 4], 3, 6)).toBe(1);
    expect(firstContinuationByOffset([0, 2, 4], 6, 6)).toBe(3);
  });
});
