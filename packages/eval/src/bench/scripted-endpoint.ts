/**
 * A fast scripted OpenAI-compatible endpoint, for trying the queue runner
 * without a model and for its benchmark: /v1/models lists `scripted`;
 * /v1/completions and /v1/chat/completions answer `a+b=` / `a-b=` prompts with
 * the result (else " 42") after `delayMs` — a stand-in for model latency that
 * costs no CPU, so the endpoint is never the bottleneck. No echo/logprobs:
 * gen-mode datasets only (arithmetic, gsm8k).
 *
 *   node packages/eval/dist/bench/scripted-endpoint.js --port 8011 --delay-ms 20
 */
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';

export interface ScriptedEndpoint {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

export function scriptedAnswer(prompt: string): string {
  const sum = /(-?\d+)\s*([+-])\s*(-?\d+)\s*=\s*$/.exec(prompt);
  if (!sum) return ' 42';
  const [a, b] = [Number(sum[1]), Number(sum[3])];
  return String(sum[2] === '+' ? a + b : a - b);
}

export async function startScriptedEndpoint(options: { port?: number; host?: string; delayMs?: number } = {}): Promise<ScriptedEndpoint> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests++;
      const reply = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.method === 'GET' && request.url === '/v1/models') return reply(200, { object: 'list', data: [{ id: 'scripted', object: 'model' }] });
      if (request.method !== 'POST') return reply(404, { error: { message: `no route ${request.method} ${request.url}` } });
      let parsed: { prompt?: unknown; messages?: { role: string; content: string }[]; n?: number };
      try {
        parsed = JSON.parse(body);
      } catch {
        return reply(400, { error: { message: 'body is not JSON' } });
      }
      const answer = () => {
        if (request.url === '/v1/completions' && typeof parsed.prompt === 'string') {
          const text = scriptedAnswer(parsed.prompt);
          return reply(200, { object: 'text_completion', choices: Array.from({ length: parsed.n ?? 1 }, (_, index) => ({ index, text, finish_reason: 'stop', logprobs: null })) });
        }
        if (request.url === '/v1/chat/completions' && Array.isArray(parsed.messages)) {
          const content = scriptedAnswer(parsed.messages.at(-1)?.content ?? '');
          return reply(200, { object: 'chat.completion', choices: Array.from({ length: parsed.n ?? 1 }, (_, index) => ({ index, message: { role: 'assistant', content }, finish_reason: 'stop' })) });
        }
        return reply(404, { error: { message: `no route ${request.url} for this body` } });
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolveListen) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolveListen));
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/v1`,
    requests: () => requests,
    close: () => new Promise((resolveClose) => server.close(() => resolveClose())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8011' }, host: { type: 'string', default: '127.0.0.1' }, 'delay-ms': { type: 'string', default: '0' } } });
  const endpoint = await startScriptedEndpoint({ port: Number(values.port), host: values.host, delayMs: Number(values['delay-ms']) });
  console.log(`scripted OpenAI-compatible endpoint on ${endpoint.url} (model "scripted", ${values['delay-ms']} ms per answer); Ctrl-C stops it`);
  const stop = () => void endpoint.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
