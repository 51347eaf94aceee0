/** Two eval runs side by side: score A, score B, delta, and a flag when their prompts differ. */
import { Badge, Group, Select, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useApi } from '../../api';
import { Empty, ErrorNote, formatNumber } from '../../components/states';

interface ComparisonRow {
  dataset: string;
  model: string;
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  promptChanged: boolean;
}

export function CompareRuns({ runs }: { runs: { run: string; rows: { model: string }[] }[] }) {
  const [a, setA] = useState<string | null>(null);
  const [b, setB] = useState<string | null>(null);
  const options = runs.map((run) => ({ value: run.run, label: `${run.run} (${[...new Set(run.rows.map((row) => row.model))].join(', ')})` }));
  const { data, error } = useApi<{ rows: ComparisonRow[]; acrossModels: boolean }>(a && b ? `/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}` : null);
  return (
    <>
      <Title order={5} mb="xs">
        Compare two runs
      </Title>
      {runs.length < 2 ? <Empty title="Two eval runs needed">Run two evals (e.g. before and after fine-tuning) to compare them here.</Empty> : null}
      {runs.length >= 2 ? (
        <Group grow mb="xs">
          <Select label="Run A" data={options} value={a} onChange={setA} />
          <Select label="Run B" data={options} value={b} onChange={setB} />
        </Group>
      ) : null}
      <ErrorNote error={error} />
      {data ? (
        <Table fz="sm" withTableBorder data-testid="compare-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>dataset</Table.Th>
              <Table.Th>metric</Table.Th>
              <Table.Th>A</Table.Th>
              <Table.Th>B</Table.Th>
              <Table.Th>B − A</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.rows.map((row) => (
              <Table.Tr key={`${row.dataset}/${row.model}/${row.metric}`}>
                <Table.Td>
                  {row.dataset} {data.acrossModels ? null : <Text span size="xs" c="dimmed">({row.model})</Text>} {row.promptChanged ? <Badge size="xs" color="orange">prompt changed</Badge> : null}
                </Table.Td>
                <Table.Td>{row.metric}</Table.Td>
                <Table.Td>{formatNumber(row.a)}</Table.Td>
                <Table.Td>{formatNumber(row.b)}</Table.Td>
                <Table.Td c={row.delta === null ? undefined : row.delta >= 0 ? 'green' : 'red'}>{row.delta === null ? '–' : `${row.delta >= 0 ? '+' : ''}${formatNumber(row.delta)}`}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </>
  );
}
