/**
 * MCP interop. `createMcpServer` serves chainlm tools over the Model Context
 * Protocol (any transport: stdio for `chainlm-agent mcp`, in-memory in tests): tools/list
 * gives our JSON Schemas; tools/call validates and runs through invokeTool, and a tool
 * error comes back as an `isError` result whose text is the `{code, message, hint}`
 * JSON. `fromMcpClient` goes the other way: an MCP server's tools as chainlm tools.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ToolError, toolErrorFromFailure } from '../errors.js';
import { defineTool, invokeTool, toolInputJsonSchema, type JsonSchema, type Tool } from '../tools/tool.js';

export function createMcpServer(tools: Tool[], options: { name?: string; version?: string; timeoutMs?: number } = {}): Server {
  const server = new Server({ name: options.name ?? 'chainlm-agent', version: options.version ?? '0.1.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: toolInputJsonSchema(tool) as { type: 'object' } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = tools.find((candidate) => candidate.name === request.params.name);
    if (!tool) {
      const error = { code: 'unknown-tool', message: `no tool named "${request.params.name}"`, hint: `available: ${tools.map((candidate) => candidate.name).join(', ')}` };
      return { isError: true, content: [{ type: 'text' as const, text: JSON.stringify(error) }] };
    }
    const result = await invokeTool(tool, request.params.arguments ?? {}, { timeoutMs: options.timeoutMs });
    if (!result.ok) return { isError: true, content: [{ type: 'text' as const, text: JSON.stringify(result.error) }] };
    const text = typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
    return { content: [{ type: 'text' as const, text }] };
  });
  return server;
}

/** The tools of a connected MCP client as chainlm tools. */
export async function fromMcpClient(client: Client): Promise<Tool[]> {
  const { tools } = await client.listTools();
  return tools.map((remote) =>
    defineTool({
      name: remote.name,
      description: remote.description ?? '',
      inputSchema: z.record(z.string(), z.unknown()),
      inputJsonSchema: remote.inputSchema as JsonSchema,
      async call(input, context) {
        const result = await client.callTool({ name: remote.name, arguments: input }, undefined, { signal: context.signal });
        const text = ((result.content ?? []) as { type: string; text?: string }[]).filter((part) => part.type === 'text').map((part) => part.text).join('\n');
        if (result.isError) throw toolErrorFromText(text);
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      },
    }),
  );
}

function toolErrorFromText(text: string): ToolError {
  try {
    const parsed = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).parse(JSON.parse(text));
    return toolErrorFromFailure(parsed);
  } catch {
    return new ToolError('remote-error', text || 'the MCP tool failed without a message');
  }
}
