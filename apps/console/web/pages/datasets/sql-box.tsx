/** Read-only SQL over every dataset view (DuckDB); the server refuses anything but a query. */
import { Button, Group, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api';
import { DataTable } from '../../components/data-table';
import { ErrorNote } from '../../components/states';

interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  milliseconds: number;
}

export function SqlBox({ name }: { name: string }) {
  const [sql, setSql] = useState(`SELECT * FROM "${name}" LIMIT 10`);
  const [result, setResult] = useState<SqlResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api<SqlResult>('/api/sql', { body: { sql } }));
    } catch (caught) {
      setResult(undefined);
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Textarea
        value={sql}
        onChange={(event) => setSql(event.currentTarget.value)}
        autosize
        minRows={3}
        styles={{ input: { fontFamily: 'monospace' } }}
        data-testid="sql-input"
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void run();
        }}
      />
      <Group my="xs">
        <Button size="xs" onClick={run} loading={busy} data-testid="sql-run">
          Run (Ctrl+Enter)
        </Button>
        {result ? (
          <Text size="xs" c="dimmed">
            {result.rows.length} rows{result.truncated ? ' (truncated)' : ''} in {result.milliseconds} ms
          </Text>
        ) : null}
      </Group>
      <ErrorNote error={error} title="Query failed" />
      {result ? <DataTable rows={result.rows} columns={result.columns} testId="sql-result" /> : null}
    </>
  );
}
