/** File readers for loaders: JSONL (optionally gzipped), with line-numbered errors. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { EvalError } from '../errors.js';
import type { Row } from '../types.js';

export function requireFile(path: string, what: string): void {
  if (!existsSync(path)) {
    throw new EvalError('eval-dataset-missing', `${what}: ${path} does not exist`, 'check the dataset path (or --data-dir: it should hold gsm8k/, mmlu/, arc/, humaneval/ ... folders)');
  }
}

export function readText(path: string, what: string): string {
  requireFile(path, what);
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

export function readJsonl(path: string, what: string): Row[] {
  const rows: Row[] = [];
  readText(path, what)
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new EvalError('eval-dataset-format', `${path}:${index + 1}: invalid JSON: ${(error as Error).message}`, 'each line must be one JSON object');
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new EvalError('eval-dataset-format', `${path}:${index + 1}: expected a JSON object`, 'each line must be one JSON object');
      }
      rows.push(value as Row);
    });
  return rows;
}

/** Throws naming the file when a row lacks a column the loader needs. */
export function requireColumns(rows: readonly Row[], columns: readonly string[], file: string): void {
  rows.forEach((row, index) => {
    for (const column of columns) {
      if (row[column] === undefined) {
        throw new EvalError('eval-dataset-format', `${file}: record ${index + 1} has no "${column}" field`, `each record needs ${columns.join(', ')}`);
      }
    }
  });
}
