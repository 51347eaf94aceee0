/** The report of one cleaning run: records in/out per operator, with dropped examples. */
import type { StoredRecord } from '../records/kinds.js';

export interface DroppedExample {
  source: string;
  line: number;
  reason: string;
  /** First 200 characters of the record's content. */
  excerpt: string;
}

export interface OperatorReport {
  op: string;
  params: Record<string, unknown>;
  in: number;
  out: number;
  dropped: number;
  modified: number;
  examples: DroppedExample[];
  seconds: number;
}

export interface CleanReport {
  dataset: string;
  input: string;
  kind: string;
  recipe: string | undefined;
  read: number;
  kept: number;
  dropped: number;
  operators: OperatorReport[];
  seconds: number;
}

export const examplesPerOperator = 3;

export function exampleOf(record: StoredRecord, reason: string, text: string): DroppedExample {
  return { source: record.source, line: record.line, reason, excerpt: text.length > 200 ? `${text.slice(0, 200)}…` : text };
}

export function reportMarkdown(report: CleanReport): string {
  const lines = [
    `# Cleaning report: ${report.input} → ${report.dataset}`,
    '',
    `Kind: ${report.kind}. Recipe: ${report.recipe ?? '(inline)'}. ${report.read} records in, ${report.kept} kept, ${report.dropped} dropped, ${report.seconds.toFixed(2)} s.`,
    '',
    '| # | operator | in | out | dropped | modified | seconds |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...report.operators.map(
      (step, index) => `| ${index + 1} | ${step.op} | ${step.in} | ${step.out} | ${step.dropped} | ${step.modified} | ${step.seconds.toFixed(2)} |`,
    ),
  ];
  for (const step of report.operators) {
    if (step.examples.length === 0) continue;
    lines.push('', `## ${step.op}: dropped examples`, '');
    for (const example of step.examples) {
      const excerpt = example.excerpt.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
      lines.push(`- \`${example.source}:${example.line}\` — ${example.reason}: “${excerpt}”`);
    }
  }
  return `${lines.join('\n')}\n`;
}
