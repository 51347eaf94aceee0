/**
 * The remote tool server (fastify): lets a heavy tool run on another machine.
 *   GET  /health                → { ok: true }
 *   GET  /tools                 → { tools: [{ name, description, inputSchema }] }
 *   GET  /tools/:name/schema    → { name, description, inputSchema }
 *   POST /tools/:name/call      → body { input }; 200 with the ToolResult
 * A tool that fails still answers 200 with `{ ok: false, error }` (the call happened);
 * protocol problems are HTTP errors in the same shape: 401 bad/missing bearer key,
 * 404 unknown tool, 400 malformed body. Loopback only unless keys are set.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { AgentError } from '../errors.js';
import { invokeTool, toolInputJsonSchema, type Tool } from '../tools/tool.js';
import { bearerToken, keyMatches } from './auth.js';

export interface ToolServerOptions {
  tools: Tool[];
  /** Accepted bearer keys; empty = no auth (allowed on loopback only). */
  apiKeys?: string[];
  /** Per call, milliseconds. */
  timeoutMs?: number;
  /** Request body limit, bytes. Default 1 MiB. */
  bodyLimit?: number;
}

const failure = (code: string, message: string, hint?: string) => ({ ok: false, error: { code, message, ...(hint ? { hint } : {}) } });

export function buildToolServer(options: ToolServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 1024 * 1024 });
  const tools = new Map(options.tools.map((tool) => [tool.name, tool]));
  const keys = options.apiKeys ?? [];
  const describe = (tool: Tool) => ({ name: tool.name, description: tool.description, inputSchema: toolInputJsonSchema(tool) });

  app.addHook('onRequest', async (request, reply) => {
    if (keys.length === 0 || request.url === '/health') return;
    if (!keyMatches(bearerToken(request.headers.authorization), keys)) {
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

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Starts listening; refuses a non-loopback host without keys. Returns the base URL. */
export async function startToolServer(options: ToolServerOptions & { host?: string; port?: number }): Promise<{ url: string; app: FastifyInstance; close: () => Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && (options.apiKeys ?? []).length === 0) {
    throw new AgentError('tool-server-open', `refusing to serve tools on ${host} without an API key`, 'add --api-key KEY (or CHAINLM_AGENT_API_KEY), or keep the default host 127.0.0.1', 2);
  }
  const app = buildToolServer(options);
  const address = await app.listen({ host, port: options.port ?? 0 });
  return { url: address, app, close: () => app.close() };
}
