/** Plain-text table for terminal output; cells are JSON for non-strings, clipped to 60 chars. */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[], maxRows = 50): string {
  const cell = (value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
    const flat = text.replace(/\s+/g, ' ');
    return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
  };
  const shown = rows.slice(0, maxRows).map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...shown.map((row) => row[index].length)));
  const line = (cells: string[]) => cells.map((text, index) => text.padEnd(widths[index])).join('  ').trimEnd();
  const out = [line([...columns]), line(widths.map((width) => '-'.repeat(width))), ...shown.map(line)];
  if (rows.length > maxRows) out.push(`… ${rows.length - maxRows} more rows (use --json for all)`);
  return out.join('\n');
}
