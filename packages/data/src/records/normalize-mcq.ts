/**
 * Multiple-choice records → `{question, choices[], answer}` with a 0-based answer.
 * Accepts `choices`/`options` arrays (ARC: `{query, choices, gold}`) or lettered
 * columns A, B, C, D… (MMLU/CMMLU CSV), and an answer given as an index or a letter.
 */
import { FieldReader, Reason, describeType } from './field-access.js';

const letters = 'ABCDEFGHIJ';

export function normalizeMcq(fields: FieldReader): Record<string, unknown> | Reason {
  const question = fields.string(['question', 'query']);
  if (question instanceof Reason) return question;
  const choices = readChoices(fields);
  if (choices instanceof Reason) return choices;
  const answerKey = fields.key('answer', 'gold', 'label', 'answerkey');
  if (answerKey === undefined) return new Reason('missing field "answer"');
  fields.markUsed(answerKey);
  const answer = parseAnswer(fields.value[answerKey], choices.length);
  if (answer instanceof Reason) return new Reason(`field "${answerKey}": ${answer.message}`);
  return { question, choices, answer };
}

function readChoices(fields: FieldReader): string[] | Reason {
  const key = fields.key('choices', 'options');
  if (key !== undefined) {
    fields.markUsed(key);
    const value = fields.value[key];
    if (!Array.isArray(value) || value.length < 2 || !value.every((item) => typeof item === 'string')) {
      return new Reason(`field "${key}": expected an array of at least 2 strings, found ${describeType(value)}`);
    }
    return value as string[];
  }
  const choices: string[] = [];
  for (const letter of letters) {
    if (!fields.has(letter)) break;
    const choice = fields.string([letter]);
    if (choice instanceof Reason) return choice;
    choices.push(choice);
  }
  if (choices.length < 2) return new Reason('missing field "choices" (or lettered columns A, B, …)');
  return choices;
}

function parseAnswer(value: unknown, count: number): number | Reason {
  let index: number;
  if (typeof value === 'number' && Number.isInteger(value)) index = value;
  else if (typeof value === 'string' && /^[A-J]$/i.test(value.trim())) index = letters.indexOf(value.trim().toUpperCase());
  else if (typeof value === 'string' && /^\d+$/.test(value.trim())) index = Number(value.trim());
  else return new Reason(`expected a choice letter or a 0-based index, found ${describeType(value)} ${JSON.stringify(value)}`);
  if (index < 0 || index >= count) return new Reason(`answer ${JSON.stringify(value)} is outside the ${count} choices`);
  return index;
}
