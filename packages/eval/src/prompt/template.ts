/**
 * Prompt templates: `{column}` placeholders filled from a row, `{ice}` filled with
 * the rendered in-context examples. `{{` and `}}` are literal braces. Only
 * identifier-like names are placeholders, so code in a template (`{ }`, `{1, 2}`)
 * stays as written.
 */
import { EvalError } from '../errors.js';
import type { Row } from '../types.js';

const placeholder = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Renders `template` with `row`; `where` names the config field for errors. */
export function renderTemplate(template: string, row: Row, where: string): string {
  return template.replace(placeholder, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const value = row[name!];
    if (value === undefined) {
      throw new EvalError(
        'eval-template-column',
        `${where}: the template uses {${name}} but the row has no such column (columns: ${Object.keys(row).join(', ')})`,
        'fix the placeholder name, or the reader/loader that produces the column; write {{ and }} for literal braces',
      );
    }
    return formatValue(value);
  });
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Names of the placeholders a template uses (ice included). */
export function templateColumns(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(placeholder)) if (match[1]) names.add(match[1]);
  return [...names];
}
