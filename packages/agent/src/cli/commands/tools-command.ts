import { defineCommand } from '@chainlm/core';
import { toolInputJsonSchema } from '../../tools/tool.js';
import { buildToolbox, toolboxFlags } from '../toolbox-flags.js';

export const toolsCommand = defineCommand({
  name: 'tools',
  summary: 'list the available tools (with their input schemas under --json)',
  options: toolboxFlags,
  examples: ['chainlm-agent tools', 'chainlm-agent tools --docs ./notes --json'],
  async run({ options }) {
    const tools = await buildToolbox(options);
    return { tools: tools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: toolInputJsonSchema(tool) })) };
  },
  render(result, print) {
    const { tools } = result as { tools: { name: string; description: string }[] };
    const width = Math.max(...tools.map((tool) => tool.name.length)) + 2;
    for (const tool of tools) print(`${tool.name.padEnd(width)}${tool.description}`);
  },
});
