/**
 * The remote tool server (fastify): lets a heavy tool run on another machine.
 *   GET  /health                → { ok: true }
 *   GET  /tools                 → { tools: [{ name, description, inputSchema }] }
 *   GET  /tools/:name/schema    → { name, description, inputSchema }
 *   POST /tools/:name/call      → body { input }; 200 with the ToolResult
 * A tool that fails still answers 200 with `{ ok: false, error }` (the call happened);
 * protocol problems are HTTP errors in the same shape: 401 bad/missing bearer key,
 * 403 a Host header that is not a loopback name (without keys), 404 unknown tool,
 * 400 malformed body.
 *
 * Exposure (core's auth module): without keys the server binds loopback only, judged
 * on the address it really bound, and refuses requests whose Host header is not
 * `localhost` or a loopback IP (a web page that rebinds its name to 127.0.0.1 still
 * sends its own name). `insecureNoAuth` lifts both, loudly.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { ApiKeys, isLoopbackHostHeader, listenGuarded } from '@chainlm/core';
import { invokeTool, toolInputJsonSchema, type Tool } from '../tools/tool.js';

export interface ToolServerOptions {
  tools: Tool[];
  /** Accepted bearer keys; empty = no auth (allowed on loopback only). */
  apiKeys?: string[];
  /** Serve without keys on any address (printed as a warning on every start). */
  insecureNoAuth?: boolean;
  /** Per call, milliseconds. */
  timeoutMs?: number;
  /** Request body limit, bytes. Default 1 MiB. */
  bodyLimit?: number;
}

const failure = (code: string, message: string, hint?: string) => ({ ok: false, error: { code, message, ...(hint ? { hint } : {}) } });

export function buildToolServer(options: ToolServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 1024 * 1024 });
  const tools = new Map(options.tools.map((tool) => [tool.name, tool]));
  const keys = new ApiKeys(options.apiKeys ?? []);
  const checkHost = !keys.required && !options.insecureNoAuth;
  const describe = (tool: Tool) => ({ name: tool.name, description: tool.description, inputSchema: toolInputJsonSchema(tool) });

  app.addHook('onRequest', async (request, reply) => {
    if (checkHost && !isLoopbackHostHeader(request.headers.host)) {
      return reply.code(403).send(failure('forbidden-host', `Host "${request.headers.host ?? ''}" is not this machine's loopback name`, 'without API keys the tool server only answers http://127.0.0.1 or http://localhost; start it with --api-key to serve other names'));
    }
    if (!keys.required || request.url === '/health') return;
    if (!keys.accepts(request.headers.authorization)) {
      return reply.code(401).send(failure('unauthorized', 'missing or wrong bearer key', 'send "Authorization: Bearer KEY" with a key the server was started with'));
    }
  });
  app.get('/health', async () => ({ ok: true }));
  app.get('/tools', async () => ({ tools: [...tools.values()].map(describe) }));
  app.get<{ Params: { name: string } }>('/tools/:name/schema', async (request, reply) => {
    const tool = tools.get(request.params.name);
    return tool ? describe(tool) : reply.code(404).send(unknown(request.params.name, tools));
  });
  app.post<{ Params: { name: string } }>('/tools/:name/call', async (request, reply) => {
    const tool = tools.get(request.params.name);
    if (!tool) return reply.code(404).send(unknown(request.params.name, tools));
    const body = request.body;
    if (!body || typeof body !== 'object' || !('input' in body)) {
      return reply.code(400).send(failure('invalid-input', 'the body must be a JSON object with an "input" field', 'POST {"input": {...}}'));
    }
    return invokeTool(tool, (body as { input: unknown }).input, { timeoutMs: options.timeoutMs });
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    reply.code(status).send(failure(status === 500 ? 'internal' : 'invalid-input', error.message));
  });
  return app;
}

function unknown(name: string, tools: Map<string, Tool>) {
  return failure('unknown-tool', `no tool named "${name}" on this server`, `available: ${[...tools.keys()].join(', ')}`);
}

/**
 * Starts listening; refuses (code `auth-exposed`, nothing left listening) a
 * non-loopback bind without keys unless `insecureNoAuth`. Returns the base URL.
 */
export async function startToolServer(options: ToolServerOptions & { host?: string; port?: number; warn?: (text: string) => void }): Promise<{ url: string; app: FastifyInstance; close: () => Promise<void> }> {
  const app = buildToolServer(options);
  const url = await listenGuarded(app, {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    hasKeys: (options.apiKeys ?? []).some((key) => key.length > 0),
    insecureNoAuth: options.insecureNoAuth,
    component: 'chainlm-agent tool-server',
    warn: options.warn,
  });
  return { url, app, close: () => app.close() };
}
