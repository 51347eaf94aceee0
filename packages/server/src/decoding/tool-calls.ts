/**
 * Tool calls parsed from a model's text into OpenAI `tool_calls`. Models write calls
 * in a few conventions; we read the common ones:
 *  - Hermes / Qwen2: `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` (the
 *    format of the project's demo instruction set),
 *  - InternLM2: `<|action_start|><|plugin|>\n{"name": ..., "parameters": {...}}<|action_end|>`,
 *  - a bare JSON object `{"name": ..., "arguments": ...}` as the whole reply, when the
 *    request forced a tool with `tool_choice`.
 * Text outside the call blocks stays the message content.
 */
import { randomBytes } from 'node:crypto';

export interface ParsedToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ParsedReply {
  content: string | null;
  toolCalls: ParsedToolCall[];
}

const blockPatterns = [/<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/g, /<\|action_start\|>\s*<\|plugin\|>\s*([\s\S]*?)\s*<\|action_end\|>/g];

export function parseToolCalls(text: string, options: { knownTools?: readonly string[]; bareJson?: boolean } = {}): ParsedReply {
  const toolCalls: ParsedToolCall[] = [];
  let content = text;
  for (const pattern of blockPatterns) {
    content = content.replace(pattern, (block, body: string) => {
      const call = toCall(body, options.knownTools);
      if (!call) return block;
      toolCalls.push(call);
      return '';
    });
  }
  if (toolCalls.length === 0 && options.bareJson) {
    const call = toCall(text.trim(), options.knownTools);
    if (call) return { content: null, toolCalls: [call] };
  }
  const rest = content.trim();
  return { content: rest.length > 0 ? rest : toolCalls.length > 0 ? null : text, toolCalls };
}

function toCall(body: string, knownTools: readonly string[] | undefined): ParsedToolCall | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const name = record.name;
  if (typeof name !== 'string' || name.length === 0) return undefined;
  if (knownTools && !knownTools.includes(name)) return undefined;
  const args = record.arguments ?? record.parameters ?? {};
  return {
    id: `call_${randomBytes(12).toString('hex')}`,
    type: 'function',
    function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
  };
}
