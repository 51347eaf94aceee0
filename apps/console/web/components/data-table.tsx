/** A plain table of JSON rows: columns from the first rows, long values clipped. */
import { ScrollArea, Table, Text } from '@mantine/core';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

export function DataTable({ rows, columns, testId, maxHeight = 420 }: { rows: Record<string, unknown>[]; columns?: string[]; testId?: string; maxHeight?: number }) {
  const keys = columns ?? [...new Set(rows.slice(0, 20).flatMap((row) => Object.keys(row)))];
  return (
    <ScrollArea.Autosize mah={maxHeight} type="auto">
      <Table striped highlightOnHover withTableBorder fz="xs" data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {keys.map((key) => (
              <Table.Th key={key}>{key}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row, index) => (
            <Table.Tr key={index}>
              {keys.map((key) => (
                <Table.Td key={key} style={{ maxWidth: 480, verticalAlign: 'top' }}>
                  <Text size="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                    {cell(row[key])}
                  </Text>
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}
