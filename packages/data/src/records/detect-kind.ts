/**
 * Kind detection from a raw object's field names (after any --map). The first rule
 * that matches wins; the order puts the most specific shapes first (a chat record may
 * also have an `instruction`-like system field, an MCQ also has a question).
 */
import type { RecordKind } from './kinds.js';
import { FieldReader } from './field-access.js';

export function detectKind(value: Record<string, unknown>): RecordKind | undefined {
  const fields = new FieldReader(value);
  if (fields.has('messages', 'conversations')) return 'chat';
  if (fields.has('question', 'query') && (fields.has('choices', 'options') || fields.has('a') && fields.has('b'))) return 'mcq';
  if (fields.has('instruction') && (fields.has('output', 'response') || fields.has('instances'))) return 'instruction';
  if (fields.has('question', 'problem') && fields.has('answer', 'solution')) return 'qa';
  if (fields.has('prompt') && fields.has('canonical_solution', 'completion')) return 'qa';
  if (fields.has('text', 'content', 'paragraphs')) return 'text';
  return undefined;
}
