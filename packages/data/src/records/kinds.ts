/**
 * Record kinds and their stored columns. Every dataset holds one kind; every stored
 * row has `id` (content hash), the kind's fields, `meta` (JSON text of the source
 * fields that no kind field took, or null) and provenance `source` + `line`.
 *
 * `line` is 1-based: the line a record starts on for line formats (JSONL, CSV, text),
 * the element number for JSON arrays, the row number for Parquet and Arrow.
 */
import { createHash } from 'node:crypto';

export const recordKinds = ['text', 'instruction', 'chat', 'mcq', 'qa'] as const;
export type RecordKind = (typeof recordKinds)[number];

export const chatRoles = ['system', 'user', 'assistant', 'tool'] as const;
export type ChatRole = (typeof chatRoles)[number];

/**
 * A chat message as stored. An assistant turn that calls tools keeps the calls as
 * `tool_calls`: JSON text of `[{"name", "arguments": {...}}]` (a column of the stored
 * format, hence snake_case); absent or null on every other message.
 */
export interface ChatMessage {
  role: ChatRole;
  content: string;
  tool_calls?: string | null;
}

/** One parsed tool call of an assistant turn (arguments as a JSON object). */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface KindFields {
  text: { text: string };
  instruction: { instruction: string; input: string; output: string };
  /** `tools`: JSON text of the OpenAI tool list the conversation was given, or null. */
  chat: { messages: ChatMessage[]; tools?: string | null };
  mcq: { question: string; choices: string[]; answer: number };
  qa: { question: string; answer: string };
}

/** One stored row: the kind fields plus id, meta and provenance. */
export type StoredRecord = { id: string; meta: string | null; source: string; line: number } & Record<string, unknown>;

/** DuckDB column types per kind, in stored order (between `id` and `meta`). */
export const kindColumns: Record<RecordKind, [string, string][]> = {
  text: [['text', 'VARCHAR']],
  instruction: [
    ['instruction', 'VARCHAR'],
    ['input', 'VARCHAR'],
    ['output', 'VARCHAR'],
  ],
  chat: [
    ['messages', 'STRUCT(role VARCHAR, content VARCHAR, tool_calls VARCHAR)[]'],
    ['tools', 'VARCHAR'],
  ],
  mcq: [
    ['question', 'VARCHAR'],
    ['choices', 'VARCHAR[]'],
    ['answer', 'INTEGER'],
  ],
  qa: [
    ['question', 'VARCHAR'],
    ['answer', 'VARCHAR'],
  ],
};

export function storedColumns(kind: RecordKind): [string, string][] {
  return [['id', 'VARCHAR'], ...kindColumns[kind], ['meta', 'VARCHAR'], ['source', 'VARCHAR'], ['line', 'BIGINT']];
}

export function isRecordKind(value: string): value is RecordKind {
  return (recordKinds as readonly string[]).includes(value);
}

/** Content hash of a record's kind fields: 16 hex chars of sha256 (64 bits). */
export function recordId(kind: RecordKind, record: Record<string, unknown>): string {
  const hash = createHash('sha256');
  hash.update(kind);
  for (const [column] of kindColumns[kind]) {
    const value = record[column];
    // An absent optional field (a chat's tools) leaves the hash as it was before the field existed.
    if (value === null || value === undefined) continue;
    hash.update('\u0000');
    hash.update(typeof value === 'string' ? value : JSON.stringify(value, omitNullToolCalls));
  }
  return hash.digest('hex').slice(0, 16);
}

/** A message read back from DuckDB has tool_calls: null where none were ingested: hash it as absent. */
function omitNullToolCalls(key: string, value: unknown): unknown {
  return key === 'tool_calls' && (value === null || value === undefined) ? undefined : value;
}

/** The record's readable content as one string (what filters and dedup look at). */
export function recordText(kind: RecordKind, record: Record<string, unknown>): string {
  switch (kind) {
    case 'text':
      return record.text as string;
    case 'instruction': {
      const input = record.input as string;
      return input ? `${record.instruction}\n${input}\n${record.output}` : `${record.instruction}\n${record.output}`;
    }
    case 'chat':
      // A tool call is content too (a tokenizer trained on chats must see it): its JSON follows the text.
      return (record.messages as ChatMessage[]).map((message) => (message.tool_calls ? `${message.content}\n${message.tool_calls}` : message.content)).join('\n');
    case 'mcq':
      return `${record.question}\n${(record.choices as string[]).join('\n')}`;
    case 'qa':
      return `${record.question}\n${record.answer}`;
  }
}

/** A copy of the record with `transform` applied to every content string. */
export function mapRecordText(kind: RecordKind, record: StoredRecord, transform: (text: string) => string): StoredRecord {
  switch (kind) {
    case 'text':
      return { ...record, text: transform(record.text as string) };
    case 'instruction':
      return {
        ...record,
        instruction: transform(record.instruction as string),
        input: transform(record.input as string),
        output: transform(record.output as string),
      };
    case 'chat':
      return {
        ...record,
        messages: (record.messages as ChatMessage[]).map((message) => ({ ...message, content: transform(message.content) })),
      };
    case 'mcq':
      return { ...record, question: transform(record.question as string), choices: (record.choices as string[]).map(transform) };
    case 'qa':
      return { ...record, question: transform(record.question as string), answer: transform(record.answer as string) };
  }
}

/** SQL expression giving the same content string as recordText, for stats in DuckDB. */
export function contentSql(kind: RecordKind): string {
  switch (kind) {
    case 'text':
      return 'text';
    case 'instruction':
      return `concat_ws(chr(10), instruction, nullif(input, ''), output)`;
    case 'chat':
      return `array_to_string(list_transform(messages, m -> concat_ws(chr(10), m.content, m.tool_calls)), chr(10))`;
    case 'mcq':
      return `question || chr(10) || array_to_string(choices, chr(10))`;
    case 'qa':
      return `question || chr(10) || answer`;
  }
}
