/**
 * Training documents from a dataset given by name or file: plain text is one
 * document; JSON/JSONL records become documents by their kind — text, instruction
 * (`instruction`/`input`/`output`, Alpaca), chat (`messages`) or QA (`question`/
 * `answer`). Supervised kinds render as a prompt and a response; the response (and
 * the EOS after it) is what the loss counts unless `promptLoss` is on.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { trainError, trainErrorCodes } from '../errors.js';

export interface TextDocument {
  /** Text the loss does not count (unless promptLoss). Empty for plain text. */
  prompt: string;
  /** Text the loss counts. */
  response: string;
}

interface ChatMessage {
  role: string;
  content: string | null;
}

export function promptTemplate(instruction: string, input = ''): string {
  return `### Instruction:\n${instruction}${input ? `\n\n### Input:\n${input}` : ''}\n\n### Response:\n`;
}

/** One record → one document, or undefined for a record of no known kind. */
export function recordToDocument(record: Record<string, unknown>): TextDocument | undefined {
  if (typeof record.text === 'string') return { prompt: '', response: record.text };
  if (typeof record.instruction === 'string' && typeof record.output === 'string') {
    return { prompt: promptTemplate(record.instruction, typeof record.input === 'string' ? record.input : ''), response: record.output };
  }
  if (typeof record.question === 'string' && typeof record.answer === 'string') return { prompt: promptTemplate(record.question), response: record.answer };
  if (Array.isArray(record.messages)) {
    const messages = record.messages as ChatMessage[];
    const last = messages.findLastIndex((message) => message.role === 'assistant');
    if (last < 0) return undefined;
    const history = messages.slice(0, last).map((message) => `${message.role}: ${message.content ?? ''}`).join('\n');
    return { prompt: `${history}\nassistant: `, response: messages[last].content ?? '' };
  }
  return undefined;
}

export function readDocumentsFile(file: string): TextDocument[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw trainError(trainErrorCodes.dataMissing, `cannot read data file ${file}: ${(error as Error).message}`, 'check data.dataset (a dataset name in CHAINLM_HOME or a .txt/.jsonl/.json file)', 2);
  }
  const extension = extname(file).toLowerCase();
  if (extension !== '.jsonl' && extension !== '.json') return [{ prompt: '', response: text }];
  const records: unknown[] = extension === '.json' ? parseJsonArray(file, text) : text.split('\n').flatMap((line, index) => (line.trim() ? [parseLine(file, line, index + 1)] : []));
  const documents: TextDocument[] = [];
  records.forEach((record, index) => {
    const document = record !== null && typeof record === 'object' ? recordToDocument(record as Record<string, unknown>) : undefined;
    if (!document) {
      throw trainError(trainErrorCodes.dataMissing, `${file}: record ${index + 1} has no text, instruction/output, question/answer or messages field`, 'ingest it with `chainlm-data ingest` to map its fields, or fix the record', 2);
    }
    documents.push(document);
  });
  return documents;
}

function parseLine(file: string, line: string, number: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw trainError(trainErrorCodes.dataMissing, `${file}:${number}: not valid JSON (${(error as Error).message})`, 'fix the line or ingest the file with `chainlm-data ingest`', 2);
  }
}

function parseJsonArray(file: string, text: string): unknown[] {
  const parsed = parseLine(file, text, 1);
  if (!Array.isArray(parsed)) throw trainError(trainErrorCodes.dataMissing, `${file}: a .json data file must hold an array of records`, 'use JSONL for one record per line', 2);
  return parsed;
}
