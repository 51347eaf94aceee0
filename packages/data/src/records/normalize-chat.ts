/**
 * Chat records: OpenAI `messages: [{role, content}]` or ShareGPT
 * `conversations: [{from, value}]` (plus an optional top-level `system`). Roles are
 * normalised to system/user/assistant/tool.
 */
import { FieldReader, Reason, describeType } from './field-access.js';
import type { ChatMessage, ChatRole } from './kinds.js';

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
  return { messages };
}

function parseMessage(value: unknown): ChatMessage | Reason {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return new Reason(`expected an object, found ${describeType(value)}`);
  const fields = new FieldReader(value as Record<string, unknown>);
  const roleKey = fields.key('role', 'from');
  if (roleKey === undefined) return new Reason('missing field "role" (or "from")');
  const rawRole = fields.value[roleKey];
  const role = typeof rawRole === 'string' ? roleAliases[rawRole.toLowerCase()] : undefined;
  if (role === undefined) return new Reason(`unknown role ${JSON.stringify(rawRole)}; expected one of ${Object.keys(roleAliases).join(', ')}`);
  const content = fields.string(['content', 'value']);
  if (content instanceof Reason) return content;
  return { role, content };
}
