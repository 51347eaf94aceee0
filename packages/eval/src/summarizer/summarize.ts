/**
 * The summarizer: result rows → a dataset × model table (OpenCompass layout:
 * one line per dataset and metric, one column per model) as Markdown and CSV,
 * plus the comparison of two runs with deltas.
 */
import type { SummaryRow } from '../types.js';

export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return String(score);
  return Math.abs(score) >= 1000 ? score.toFixed(1) : score.toFixed(2);
}

interface Table {
  header: string[];
  lines: string[][];
}

export function summaryTable(rows: readonly SummaryRow[]): Table {
  const models = [...new Set(rows.map((row) => row.model))];
  const keys: string[] = [];
  const byKey = new Map<string, SummaryRow[]>();
  for (const row of rows) {
    const key = `${row.dataset}\u0000${row.metric}`;
    if (!byKey.has(key)) {
      keys.push(key);
      byKey.set(key, []);
    }
    byKey.get(key)!.push(row);
  }
  const lines = keys.map((key) => {
    const group = byKey.get(key)!;
    const first = group[0];
    return [first.dataset, first.promptHash, first.metric, first.mode, ...models.map((model) => {
      const found = group.find((row) => row.model === model);
      return found ? formatScore(found.score) : '-';
    })];
  });
  return { header: ['dataset', 'promptHash', 'metric', 'mode', ...models], lines };
}

/** One line per dataset × model whose prompts were cut to fit the context (the scores are then not of the full prompts). */
export function truncationNotes(rows: readonly SummaryRow[]): string[] {
  const seen = new Set<string>();
  return rows.flatMap((row) => {
    const key = `${row.dataset}\u0000${row.model}`;
    if (!row.truncated || seen.has(key)) return [];
    seen.add(key);
    return [`note: ${row.dataset} × ${row.model}: ${row.truncated} prompt${row.truncated === 1 ? ' was' : 's were'} longer than the model's context and cut from the left (lm-eval's rule)`];
  });
}

export function toMarkdown(table: Table): string {
  const widths = table.header.map((cell, column) => Math.max(cell.length, ...table.lines.map((line) => line[column].length)));
  const render = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [render(table.header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...table.lines.map(render)].join('\n');
}

export function toCsv(table: Table): string {
  const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  return [table.header, ...table.lines].map((line) => line.map(quote).join(',')).join('\n');
}

export interface ComparisonRow {
  dataset: string;
  model: string;
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** The prompt config differs between the runs: the scores are not like for like. */
  promptChanged: boolean;
}

export function compareRows(a: readonly SummaryRow[], b: readonly SummaryRow[]): ComparisonRow[] {
  const key = (row: SummaryRow) => `${row.dataset}\u0000${row.model}\u0000${row.metric}`;
  const fromB = new Map(b.map((row) => [key(row), row]));
  const seen = new Set<string>();
  const out: ComparisonRow[] = a.map((row) => {
    const other = fromB.get(key(row));
    seen.add(key(row));
    return {
      dataset: row.dataset,
      model: row.model,
      metric: row.metric,
      a: row.score,
      b: other?.score ?? null,
      delta: other ? other.score - row.score : null,
      promptChanged: other !== undefined && other.promptHash !== row.promptHash,
    };
  });
  for (const row of b) {
    if (!seen.has(key(row))) out.push({ dataset: row.dataset, model: row.model, metric: row.metric, a: null, b: row.score, delta: null, promptChanged: false });
  }
  return out;
}

export function comparisonMarkdown(rows: readonly ComparisonRow[], nameA: string, nameB: string): string {
  const show = (value: number | null) => (value === null ? '-' : formatScore(value));
  const delta = (value: number | null) => (value === null ? '-' : `${value >= 0 ? '+' : ''}${formatScore(value)}`);
  return toMarkdown({
    header: ['dataset', 'model', 'metric', nameA, nameB, 'delta'],
    lines: rows.map((row) => [row.dataset, row.model, row.metric, show(row.a), show(row.b), `${delta(row.delta)}${row.promptChanged ? ' (prompt changed)' : ''}`]),
  });
}
