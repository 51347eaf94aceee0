import { defineCommand, loadApiKeys } from '@chainlm/core';
import { buildToolbox, toolboxFlags } from '../toolbox-flags.js';

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export const toolServerCommand = defineCommand({
  name: 'tool-server',
  summary: 'serve tools over HTTP (GET /tools, GET /tools/:name/schema, POST /tools/:name/call)',
  options: {
    port: { type: 'number', valueName: 'PORT', default: 8765, description: 'port to listen on (0 = any free port)' },
    host: { type: 'string', valueName: 'HOST', default: '127.0.0.1', description: 'interface; anything but loopback needs --api-key' },
    apiKey: { type: 'list', valueName: 'KEY', description: 'accepted bearer keys (or CHAINLM_AGENT_API_KEY)' },
    apiKeys: { type: 'string', valueName: 'FILE', description: 'file with one accepted bearer key per line' },
    insecureNoAuth: { type: 'boolean', description: 'serve without keys on a non-loopback --host (anyone who reaches the port runs tools; warned on every start)' },
    timeoutMs: { type: 'number', valueName: 'MS', default: 60_000, description: 'time limit per call' },
    ...toolboxFlags,
  },
  examples: ['chainlm-agent tool-server --tools calculator,python --port 8765', 'chainlm-agent tool-server --tools python --host 0.0.0.0 --api-key $KEY'],
  async run({ options }) {
    const keys = loadApiKeys({ keys: options.apiKey, file: options.apiKeys, envName: 'CHAINLM_AGENT_API_KEY' });
    const tools = await buildToolbox(options);
    const { startToolServer } = await import('../../remote/tool-server.js');
    const server = await startToolServer({ tools, apiKeys: keys, insecureNoAuth: options.insecureNoAuth, host: options.host, port: options.port, timeoutMs: options.timeoutMs });
    // The URL line is the contract scripts and tests wait for.
    process.stderr.write(`tool server listening on ${server.url} with ${tools.map((tool) => tool.name).join(', ')}${keys.length ? ' (bearer keys required)' : ''}\n`);
    const signal = await untilSignal();
    await server.close();
    return { url: server.url, stoppedBy: signal };
  },
});

export const mcpCommand = defineCommand({
  name: 'mcp',
  summary: 'serve tools as an MCP server on stdio (for MCP clients such as IDEs and desktop assistants)',
  options: toolboxFlags,
  examples: ['chainlm-agent mcp --tools calculator,javascript'],
  async run({ options }) {
    const [{ createMcpServer }, { StdioServerTransport }] = await Promise.all([import('../../adapters/mcp.js'), import('@modelcontextprotocol/sdk/server/stdio.js')]);
    const server = createMcpServer(await buildToolbox(options));
    await server.connect(new StdioServerTransport());
    await new Promise<void>((resolve) => {
      server.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    return undefined;
  },
});
