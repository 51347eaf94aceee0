/**
 * CSV/TSV (RFC 4180: quoted fields may hold delimiters, "" and newlines). Parsed on
 * bytes — the delimiters are ASCII, so this is UTF-8 safe — and each record's bytes are
 * validated, so a bad byte costs one record.
 *
 * Header: the first record names the columns, except MMLU-style files (no header; the
 * first record ends in an answer letter A–J) which get `question, A, B, …, answer`.
 * `columns` forces headerless reading with the given names.
 */
import { readFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { clipRaw, type SourceItem, type SourceReader } from './source-item.js';

export interface CsvOptions {
  delimiter?: ',' | '\t';
  columns?: readonly string[];
}

interface CsvRecord {
  line: number;
  begin: number;
  end: number;
  fields: string[];
  error?: string;
}

export function csvReader(path: string, options: CsvOptions = {}): SourceReader {
  const delimiter = (options.delimiter ?? (/\.tsv(\.gz)?$/i.test(path) ? '\t' : ',')).charCodeAt(0);
  return {
    unit: 'row',
    async *read(onBytes) {
      const compressed = await readFile(path);
      onBytes(compressed.length);
      const bytes = path.endsWith('.gz') ? gunzipSync(compressed) : compressed;
      let columns = options.columns ? [...options.columns] : undefined;
      let items: SourceItem[] = [];
      for (const record of scanRecords(bytes, delimiter)) {
        if (columns === undefined && !record.error) {
          const header = headerOrDefault(record.fields);
          if (header === record.fields) {
            columns = record.fields.map((name, index) => (name === '' ? `column_${index}` : name));
            continue;
          }
          columns = header; // headerless: this first record is data
        }
        items.push(toItem(bytes, record, columns));
        if (items.length >= 2048) {
          yield items;
          items = [];
        }
      }
      if (items.length > 0) yield items;
    },
  };
}

/** The header row itself when it looks like one, else MMLU default names. */
function headerOrDefault(first: string[]): string[] {
  const last = first[first.length - 1]?.trim() ?? '';
  if (first.length >= 4 && /^[A-J]$/.test(last)) {
    const letters = 'ABCDEFGHIJ'.slice(0, first.length - 2).split('');
    return ['question', ...letters, 'answer'];
  }
  return first;
}

function toItem(bytes: Buffer, record: CsvRecord, columns: string[] | undefined): SourceItem {
  const rawBytes = bytes.subarray(record.begin, record.end);
  if (!isUtf8(rawBytes)) return { line: record.line, reason: 'invalid UTF-8 bytes', raw: clipRaw(rawBytes.toString('utf8')) };
  if (record.error) return { line: record.line, reason: record.error, raw: clipRaw(rawBytes.toString('utf8')) };
  const names = columns ?? [];
  if (record.fields.length !== names.length) {
    return { line: record.line, reason: `expected ${names.length} columns, found ${record.fields.length}`, raw: clipRaw(rawBytes.toString('utf8')) };
  }
  const value: Record<string, string> = {};
  for (let index = 0; index < names.length; index++) value[names[index]] = record.fields[index];
  return { line: record.line, value };
}

/** Splits bytes into records of decoded fields; tracks the 1-based line each starts on. */
function* scanRecords(bytes: Buffer, delimiter: number): Generator<CsvRecord> {
  const length = bytes.length;
  let position = 0;
  let line = 1;
  while (position < length) {
    const begin = position;
    const startLine = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field: string;
      if (bytes[position] === 0x22) {
        // Quoted field: "" is a literal quote; newlines inside count as lines.
        let cursor = position + 1;
        const parts: string[] = [];
        let partStart = cursor;
        for (;;) {
          if (cursor >= length) {
            error = 'unterminated quoted field';
            break;
          }
          const code = bytes[cursor];
          if (code === 0x0a) line++;
          if (code === 0x22) {
            parts.push(bytes.toString('utf8', partStart, cursor));
            if (bytes[cursor + 1] === 0x22) {
              parts.push('"');
              cursor += 2;
              partStart = cursor;
              continue;
            }
            cursor++;
            break;
          }
          cursor++;
        }
        field = parts.join('');
        position = cursor;
        while (position < length && bytes[position] !== delimiter && bytes[position] !== 0x0a) position++;
      } else {
        const fieldStart = position;
        while (position < length && bytes[position] !== delimiter && bytes[position] !== 0x0a) position++;
        let fieldEnd = position;
        if (fieldEnd > fieldStart && bytes[fieldEnd - 1] === 0x0d && (position >= length || bytes[position] === 0x0a)) fieldEnd--;
        field = bytes.toString('utf8', fieldStart, fieldEnd);
      }
      fields.push(field);
      if (error || position >= length || bytes[position] === 0x0a) break;
      position++;
    }
    const end = position;
    if (position < length) {
      position++;
      line++;
    }
    if (fields.length === 1 && fields[0].trim() === '' && !error) continue;
    yield { line: startLine, begin, end, fields, error };
  }
}
