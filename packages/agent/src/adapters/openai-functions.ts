/** chainlm tools as OpenAI function schemas (the `function` objects of `tools: [{ type: 'function', function }]`). */
import type { FunctionSchema } from '../models/chat-model.js';
import { toolInputJsonSchema, type Tool } from '../tools/tool.js';

export function toOpenAIFunction(tool: Tool): FunctionSchema {
  return { name: tool.name, description: tool.description, parameters: toolInputJsonSchema(tool) };
}

export function toOpenAIFunctions(tools: Tool[]): FunctionSchema[] {
  return tools.map(toOpenAIFunction);
}

/** The full OpenAI `tools` array, wire shape. */
export function toOpenAITools(tools: Tool[]): { type: 'function'; function: FunctionSchema }[] {
  return tools.map((tool) => ({ type: 'function', function: toOpenAIFunction(tool) }));
}
