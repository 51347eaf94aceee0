/**
 * Chat records: OpenAI `messages: [{role, content}]` or ShareGPT
 * `conversations: [{from, value}]` (plus an optional top-level `system`). Roles are
 * normalised to system/user/assistant/tool.
 *
 * Function calling (OpenAI's shape): an assistant message may carry `tool_calls`
 * (`[{type: "function", function: {name, arguments}}]`, arguments a JSON string or an
 * object; its content may then be null), and the record may carry `tools` (the
 * function list the model was given). Both are kept, so a chat template renders them
 * at training time exactly as the server does at serving time.
 */
import { FieldReader, Reason, describeType } from './field-access.js';
import type { ChatMessage, ChatRole, ToolCall } from './kinds.js';

const roleAliases: Record<string, ChatRole> = {
  system: 'system',
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  gpt: 'assistant',
  chatgpt: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  model: 'assistant',
  tool: 'tool',
  function: 'tool',
  observation: 'tool',
};

export function normalizeChat(fields: FieldReader): Record<string, unknown> | Reason {
  const key = fields.key('messages', 'conversations');
  if (key === undefined) return new Reason('missing field "messages"');
  fields.markUsed(key);
  const list = fields.value[key];
  if (!Array.isArray(list)) return new Reason(`field "${key}": expected an array, found ${describeType(list)}`);
  if (list.length === 0) return new Reason(`field "${key}": the conversation is empty`);
  const messages: ChatMessage[] = [];
  const system = fields.take('system');
  if (typeof system === 'string' && system.length > 0) messages.push({ role: 'system', content: system });
  for (let index = 0; index < list.length; index++) {
    const message = parseMessage(list[index]);
    if (message instanceof Reason) return new Reason(`${key}[${index}]: ${message.message}`);
    messages.push(message);
  }
  const tools = fields.take('tools');
  if (tools === undefined || tools === null) return { messages };
  if (!Array.isArray(tools) || tools.some((tool) => tool === null || typeof tool !== 'object' || Array.isArray(tool))) {
    return new Reason(`field "tools": expected an array of tool objects, found ${describeType(tools)}`);
  }
  return { messages, tools: JSON.stringify(tools) };
}

function parseMessage(value: unknown): ChatMessage | Reason {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return new Reason(`expected an object, found ${describeType(value)}`);
  const fields = new FieldReader(value as Record<string, unknown>);
  const roleKey = fields.key('role', 'from');
  if (roleKey === undefined) return new Reason('missing field "role" (or "from")');
  const rawRole = fields.value[roleKey];
  const role = typeof rawRole === 'string' ? roleAliases[rawRole.toLowerCase()] : undefined;
  if (role === undefined) return new Reason(`unknown role ${JSON.stringify(rawRole)}; expected one of ${Object.keys(roleAliases).join(', ')}`);
  const callsKey = fields.key('tool_calls');
  const calls = callsKey === undefined ? undefined : fields.value[callsKey];
  if (calls === undefined || calls === null || (Array.isArray(calls) && calls.length === 0)) {
    const content = fields.string(['content', 'value']);
    return content instanceof Reason ? content : { role, content };
  }
  if (role !== 'assistant') return new Reason(`field "tool_calls": only assistant messages call tools, this one is "${role}"`);
  if (!Array.isArray(calls)) return new Reason(`field "tool_calls": expected an array, found ${describeType(calls)}`);
  const parsed: ToolCall[] = [];
  for (let index = 0; index < calls.length; index++) {
    const call = parseToolCall(calls[index]);
    if (call instanceof Reason) return new Reason(`tool_calls[${index}]: ${call.message}`);
    parsed.push(call);
  }
  const content = fields.string(['content', 'value'], { optional: true });
  if (content instanceof Reason) return content;
  return { role, content, tool_calls: JSON.stringify(parsed) };
}

/** `{type: "function", function: {name, arguments}}` or a bare `{name, arguments}`. */
function parseToolCall(value: unknown): ToolCall | Reason {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return new Reason(`expected an object, found ${describeType(value)}`);
  const outer = value as Record<string, unknown>;
  const inner = outer.function ?? outer;
  const path = outer.function === undefined ? '' : 'function.';
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return new Reason(`field "function": expected an object, found ${describeType(inner)}`);
  const { name, arguments: rawArguments } = inner as Record<string, unknown>;
  if (typeof name !== 'string' || name.length === 0) return new Reason(`field "${path}name": expected a non-empty string, found ${describeType(name)}`);
  let argumentsValue: unknown = rawArguments ?? {};
  if (typeof argumentsValue === 'string') {
    try {
      argumentsValue = argumentsValue.trim() === '' ? {} : JSON.parse(argumentsValue);
    } catch (error) {
      return new Reason(`field "${path}arguments": not valid JSON (${(error as Error).message})`);
    }
  }
  if (argumentsValue === null || typeof argumentsValue !== 'object' || Array.isArray(argumentsValue)) {
    return new Reason(`field "${path}arguments": expected a JSON object, found ${describeType(argumentsValue)}`);
  }
  return { name, arguments: argumentsValue as Record<string, unknown> };
}
