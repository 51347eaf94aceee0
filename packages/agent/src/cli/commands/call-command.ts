import { defineCommand, UsageError } from '@chainlm/core';
import { AgentError } from '../../errors.js';
import { invokeTool } from '../../tools/tool.js';
import { buildToolbox, toolboxFlags } from '../toolbox-flags.js';
import { failWithResult } from '../fail-with-result.js';

export const callCommand = defineCommand({
  name: 'call',
  summary: 'call one tool directly; prints {ok, output} or {ok: false, error}, exit 1 on a tool error',
  positionals: [{ name: 'tool', description: 'tool name', required: true }],
  options: {
    input: { type: 'string', valueName: 'JSON', required: true, description: 'tool input: a JSON object, or plain text for single-field tools' },
    timeoutMs: { type: 'number', valueName: 'MS', default: 30_000, description: 'time limit for the call' },
    ...toolboxFlags,
  },
  examples: ['chainlm-agent call calculator --input \'{"expression": "2^10"}\'', 'chainlm-agent call python --input \'{"code": "print(1)"}\' --json'],
  async run({ options, positionals, json }) {
    const name = positionals[0];
    const tools = await buildToolbox({ ...options, tools: options.tools ?? (options.remote?.length ? [] : [name]) });
    const tool = tools.find((candidate) => candidate.name === name);
    if (!tool) throw new AgentError('tool-unknown', `no tool named "${name}"`, `available: ${tools.map((candidate) => candidate.name).join(', ')}`, 2);
    let input: unknown = options.input;
    if (/^\s*[[{]/.test(options.input)) {
      try {
        input = JSON.parse(options.input);
      } catch (error) {
        throw new UsageError(`call: --input is not valid JSON: ${(error as Error).message}`, 'quote the JSON for your shell, e.g. --input \'{"expression": "1+1"}\'');
      }
    }
    const result = await invokeTool(tool, input, { timeoutMs: options.timeoutMs });
    if (!result.ok) failWithResult(json, result, JSON.stringify(result, null, 2), new AgentError('tool-failed', `tool "${name}" failed with ${result.error.code}`, result.error.hint));
    return result;
  },
  render(result, print) {
    print(JSON.stringify(result, null, 2));
  },
});
