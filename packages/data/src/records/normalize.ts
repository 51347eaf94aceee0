/**
 * Raw source object → the kind's fields, or a Reason for quarantine. Field names are
 * looked up case-insensitively with common aliases; fields not taken are kept as meta.
 */
import { FieldReader, Reason, describeType } from './field-access.js';
import type { RecordKind } from './kinds.js';
import { normalizeChat } from './normalize-chat.js';
import { normalizeMcq } from './normalize-mcq.js';

export interface Normalized {
  fields: Record<string, unknown>;
  meta: string | null;
}

export function normalizeRecord(kind: RecordKind, value: unknown): Normalized | Reason {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return new Reason(`expected a JSON object, found ${describeType(value)}`);
  }
  const fields = new FieldReader(value as Record<string, unknown>);
  const result = normalizers[kind](fields);
  if (result instanceof Reason) return result;
  return { fields: result, meta: fields.meta() };
}

type Normalizer = (fields: FieldReader) => Record<string, unknown> | Reason;

const normalizers: Record<RecordKind, Normalizer> = {
  text: normalizeText,
  instruction: normalizeInstruction,
  chat: normalizeChat,
  mcq: normalizeMcq,
  qa: normalizeQa,
};

/** `text` is a string; `content`/`paragraphs` may be a string or string[] (joined by newlines). */
function normalizeText(fields: FieldReader): Record<string, unknown> | Reason {
  const key = fields.key('text', 'content', 'paragraphs');
  if (key === undefined) return new Reason('missing field "text"');
  fields.markUsed(key);
  const value = fields.value[key];
  if (typeof value === 'string') return { text: value };
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return { text: value.join('\n') };
  return new Reason(`field "${key}": expected a string or an array of strings, found ${describeType(value)}`);
}

/** Alpaca `{instruction, input, output}`, or Self-Instruct `{instruction, instances: [{input, output}]}`. */
function normalizeInstruction(fields: FieldReader): Record<string, unknown> | Reason {
  const instruction = fields.string(['instruction']);
  if (instruction instanceof Reason) return instruction;
  if (!fields.has('output', 'response') && fields.has('instances')) {
    const instances = fields.value[fields.key('instances')!];
    if (!Array.isArray(instances) || instances.length === 0) return new Reason('field "instances": expected a non-empty array');
    const first = new FieldReader(instances[0] as Record<string, unknown>);
    const input = first.string(['input'], { optional: true });
    const output = first.string(['output']);
    if (input instanceof Reason) return new Reason(`instances[0]: ${input.message}`);
    if (output instanceof Reason) return new Reason(`instances[0]: ${output.message}`);
    // One instance is the common case; several stay in meta, nothing is dropped.
    if (instances.length === 1) fields.markUsed(fields.key('instances')!);
    return { instruction, input, output };
  }
  const input = fields.string(['input'], { optional: true });
  if (input instanceof Reason) return input;
  const output = fields.string(['output', 'response']);
  if (output instanceof Reason) return output;
  return { instruction, input, output };
}

/** `{question, answer}` (GSM8K) or a code problem `{prompt, canonical_solution}` (HumanEval). */
function normalizeQa(fields: FieldReader): Record<string, unknown> | Reason {
  const question = fields.string(['question', 'problem', 'prompt']);
  if (question instanceof Reason) return question;
  const answer = fields.string(['answer', 'solution', 'canonical_solution', 'completion']);
  if (answer instanceof Reason) return answer;
  return { question, answer };
}
