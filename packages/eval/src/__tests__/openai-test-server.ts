/**
 * A small deterministic OpenAI-compatible server for tests (a real HTTP
 * boundary on 127.0.0.1): /v1/completions (with echo + logprobs), /v1/chat/
 * completions, /v1/embeddings, /v1/models. Its "model":
 *  - tokens are whitespace-led words (" A", "Answer:") or runs of whitespace;
 *  - log p(token | prefix) = −0.5 when the token's word already occurred in the
 *    prefix, else −1 − (hash(word) mod 40)/10 — fixed, so scores are reproducible;
 *  - completions: `a+b=` / `a-b=` at the end → the result, wrong when a+b ≡ 0
 *    (mod 7); a prompt ending in "Answer:" → " The answer is 42." / " B"
 *    (MCQ); else `complete(prompt, i)` when given, else " lorem ipsum".
 * Failure injection (every Nth request): 429, 500 or a dropped connection.
 */
import Fastify, { type FastifyInstance } from 'fastify';

export interface TestServerOptions {
  every429?: number;
  every500?: number;
  everyDrop?: number;
  /** Delay before each answer (ms). */
  delayMs?: number;
  /** Omit text_offset from logprobs (exercises the client's fallback). */
  textOffset?: boolean;
  complete?: (prompt: string, sample: number) => string | undefined;
  /** Answer every POST with a 200 that is not OpenAI-shaped. */
  malformed?: boolean;
  /** Answer every POST with a 200 HTML page. */
  html?: boolean;
}

export interface TestServer {
  url: string;
  app: FastifyInstance;
  counts: { requests: number; byPath: Record<string, number>; failuresInjected: number; echoRequests: number; inFlight: number; maxInFlight: number };
  close(): Promise<void>;
}

export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

function hash(text: string): number {
  let value = 2166136261;
  for (let i = 0; i < text.length; i++) value = Math.imul(value ^ text.charCodeAt(i), 16777619) >>> 0;
  return value;
}

export function tokenLogprob(prefix: string, token: string): number {
  const word = token.trim();
  if (word !== '' && prefix.includes(word)) return -0.5;
  return -1 - (hash(word) % 40) / 10;
}

export function toyCompletion(prompt: string, sample: number, complete?: TestServerOptions['complete']): string {
  const custom = complete?.(prompt, sample);
  if (custom !== undefined) return custom;
  const sum = /(\d+)([+-])(\d+)=$/.exec(prompt);
  if (sum) {
    const [a, b] = [Number(sum[1]), Number(sum[3])];
    const value = sum[2] === '+' ? a + b : a - b;
    return `${(a + b) % 7 === 0 ? value + 1 : value}\n${sample > 0 ? '' : '1+1=2'}`;
  }
  if (/Answer:$/.test(prompt)) return /\nA\. /.test(prompt) ? ' B\n' : ' The answer is 42.\n\nQuestion: next';
  return ' lorem ipsum';
}

function applyStop(text: string, stop: unknown): string {
  const stops = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.map(String) : [];
  let end = text.length;
  for (const candidate of stops) {
    const at = text.indexOf(candidate);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

function truncateTokens(text: string, maxTokens: number): string {
  return tokenize(text).slice(0, maxTokens).join('');
}

function echoLogprobs(prompt: string, withOffsets: boolean) {
  const tokens = tokenize(prompt);
  const offsets: number[] = [];
  const logprobs: (number | null)[] = [];
  let at = 0;
  for (const token of tokens) {
    offsets.push(at);
    logprobs.push(at === 0 ? null : tokenLogprob(prompt.slice(0, at), token));
    at += token.length;
  }
  return { tokens, token_logprobs: logprobs, top_logprobs: null, ...(withOffsets ? { text_offset: offsets } : {}) };
}

export function embedText(text: string): number[] {
  const vector = new Array<number>(16).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) vector[hash(word) % 16] += 1;
  return vector;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const app = Fastify({ logger: false });
  const counts = { requests: 0, byPath: {} as Record<string, number>, failuresInjected: 0, echoRequests: 0, inFlight: 0, maxInFlight: 0 };
  app.addHook('onRequest', async (request, reply) => {
    counts.requests++;
    counts.byPath[request.url] = (counts.byPath[request.url] ?? 0) + 1;
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    request.raw.once('close', () => counts.inFlight--);
    if (options.delayMs) await new Promise((resolveDelay) => setTimeout(resolveDelay, options.delayMs));
    const n = counts.requests;
    if (options.everyDrop && n % options.everyDrop === 0) {
      counts.failuresInjected++;
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    if (options.every429 && n % options.every429 === 0) {
      counts.failuresInjected++;
      return reply.code(429).header('retry-after', '0').send({ error: { message: 'rate limited' } });
    }
    if (options.malformed && request.method === 'POST') return reply.send({ choices: [] });
    if (options.html && request.method === 'POST') return reply.type('text/html').send('<html>not an API</html>');
    if (options.every500 && n % options.every500 === 0) {
      counts.failuresInjected++;
      return reply.code(500).send({ error: { message: 'boom' } });
    }
  });
  app.get('/v1/models', async () => ({ object: 'list', data: [{ id: 'toy', object: 'model' }] }));
  app.post('/v1/completions', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    if (typeof body.prompt !== 'string') return reply.code(400).send({ error: { message: 'prompt must be a string' } });
    const prompt = body.prompt;
    const maxTokens = Number(body.max_tokens ?? 16);
    const n = Number(body.n ?? 1);
    if (body.echo) {
      counts.echoRequests++;
      const generated = maxTokens > 0 ? tokenize(toyCompletion(prompt, 0, options.complete)).slice(0, maxTokens).join('') : '';
      const logprobs = echoLogprobs(prompt + generated, options.textOffset !== false);
      return { object: 'text_completion', model: body.model, choices: [{ index: 0, text: prompt + generated, logprobs, finish_reason: 'length' }] };
    }
    const choices = Array.from({ length: n }, (_, index) => ({
      index,
      text: applyStop(truncateTokens(toyCompletion(prompt, index, options.complete), maxTokens), body.stop),
      logprobs: null,
      finish_reason: 'stop',
    }));
    return { object: 'text_completion', model: body.model, choices };
  });
  app.post('/v1/chat/completions', async (request) => {
    const body = request.body as { messages: { role: string; content: string }[]; max_tokens?: number; n?: number; stop?: unknown };
    const prompt = body.messages.filter((message) => message.role === 'user').pop()?.content ?? '';
    const choices = Array.from({ length: body.n ?? 1 }, (_, index) => ({
      index,
      message: { role: 'assistant', content: applyStop(truncateTokens(toyCompletion(prompt, index, options.complete), body.max_tokens ?? 16), body.stop) },
      finish_reason: 'stop',
    }));
    return { object: 'chat.completion', choices };
  });
  app.post('/v1/embeddings', async (request) => {
    const body = request.body as { input: string | string[] };
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return { object: 'list', data: inputs.map((input, index) => ({ index, object: 'embedding', embedding: embedText(input) })) };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${address}/v1`, app, counts, close: () => app.close() };
}
