/**
 * A remote tool server as local tools. Each remote tool keeps its name, description
 * and JSON Schema (so function-calling models see the real parameters); input is
 * validated by the server. A remote `{ ok: false, error }` becomes the same ToolError
 * locally, so an agent reads a remote sandbox's time-limit exactly like a local one.
 */
import { z } from 'zod';
import { AgentError, ToolError, toolErrorFromFailure } from '../errors.js';
import { defineTool, type JsonSchema, type Tool } from '../tools/tool.js';

const failureSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });
const resultSchema = z.union([z.object({ ok: z.literal(true), output: z.unknown() }), z.object({ ok: z.literal(false), error: failureSchema })]);
const listSchema = z.object({ tools: z.array(z.object({ name: z.string(), description: z.string(), inputSchema: z.record(z.string(), z.unknown()) })) });

export interface RemoteToolClientOptions {
  apiKey?: string;
  /** Per HTTP request, milliseconds. Default 60 000. */
  timeoutMs?: number;
}

export class RemoteToolClient {
  private readonly base: string;

  constructor(url: string, private readonly options: RemoteToolClientOptions = {}) {
    this.base = url.replace(/\/+$/, '');
  }

  /** Fetches the server's tool list and wraps each tool. */
  async tools(): Promise<Tool[]> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/tools`, { headers: this.headers(), signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000) });
    } catch (error) {
      throw new AgentError('remote-unreachable', `cannot reach the tool server at ${this.base}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`, 'start it with `chainlm-agent tool-server --tools ...` or fix the URL');
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.status === 401) throw new AgentError('remote-unauthorized', `the tool server at ${this.base} rejected the API key`, 'pass the key the server was started with (--remote-key)', 2);
    const parsed = listSchema.safeParse(body);
    if (!response.ok || !parsed.success) throw new AgentError('remote-bad-response', `${this.base}/tools answered HTTP ${response.status} without a tool list`, 'is this a chainlm-agent tool server?');
    return parsed.data.tools.map((remote) => this.wrap(remote.name, remote.description, remote.inputSchema));
  }

  private wrap(name: string, description: string, inputJsonSchema: JsonSchema): Tool {
    return defineTool({
      name,
      description,
      inputSchema: z.unknown(),
      inputJsonSchema,
      call: async (input, context) => {
        const response = await fetch(`${this.base}/tools/${encodeURIComponent(name)}/call`, {
          method: 'POST',
          headers: { ...this.headers(), 'content-type': 'application/json' },
          body: JSON.stringify({ input }),
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(this.options.timeoutMs ?? 60_000)]),
        }).catch((error: Error) => {
          throw new ToolError('remote-error', `tool server ${this.base} unreachable: ${error.message}`, 'check that the tool server is running');
        });
        const parsed = resultSchema.safeParse(await response.json().catch(() => null));
        if (!parsed.success) throw new ToolError('remote-error', `tool server answered HTTP ${response.status} with an unexpected body`);
        if (!parsed.data.ok) throw toolErrorFromFailure(parsed.data.error);
        return parsed.data.output;
      },
    });
  }

  private headers(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }
}
