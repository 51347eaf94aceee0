/**
 * Two eval runs side by side: score A, score B, the delta and a flag when their
 * prompts differ; click a dataset for the per-sample diff (what A got right and B
 * wrong, and the reverse).
 */
import { Badge, Group, Select, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useApi } from '../../api';
import { Empty, ErrorNote, formatNumber } from '../../components/states';
import { SampleDiffView } from './sample-diff-view';

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
  // Until the user picks, B is the newest run and A the one before (runs come newest first).
  const [chosen, setChosen] = useState<{ a?: string | null; b?: string | null }>({});
  const a = chosen.a ?? runs[1]?.run ?? null;
  const b = chosen.b ?? runs[0]?.run ?? null;
  const [picked, setPicked] = useState<{ dataset: string; model: string }>();
  useEffect(() => setPicked(undefined), [a, b]);
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
          <Select label="Run A" data={options} value={a} onChange={(value) => setChosen({ ...chosen, a: value })} allowDeselect={false} data-testid="compare-a" />
          <Select label="Run B" data={options} value={b} onChange={(value) => setChosen({ ...chosen, b: value })} allowDeselect={false} data-testid="compare-b" />
        </Group>
      ) : null}
      <ErrorNote error={error} />
      {data && runs.length >= 2 ? (
        <Table fz="sm" withTableBorder highlightOnHover data-testid="compare-table">
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
            {data.rows.map((row) => {
              const comparable = row.a !== null && row.b !== null;
              const selected = picked?.dataset === row.dataset && picked.model === row.model;
              return (
                <Table.Tr
                  key={`${row.dataset}/${row.model}/${row.metric}`}
                  onClick={comparable ? () => setPicked({ dataset: row.dataset, model: row.model }) : undefined}
                  style={{ cursor: comparable ? 'pointer' : undefined }}
                  bg={selected ? 'var(--mantine-color-blue-light)' : undefined}
                  data-testid="compare-row"
                >
                  <Table.Td>
                    {row.dataset} {data.acrossModels ? null : <Text span size="xs" c="dimmed">({row.model})</Text>} {row.promptChanged ? <Badge size="xs" color="orange">prompt changed</Badge> : null}
                  </Table.Td>
                  <Table.Td>{row.metric}</Table.Td>
                  <Table.Td>{formatNumber(row.a)}</Table.Td>
                  <Table.Td>{formatNumber(row.b)}</Table.Td>
                  <Table.Td c={row.delta === null ? undefined : row.delta >= 0 ? 'green' : 'red'}>{row.delta === null ? '–' : `${row.delta >= 0 ? '+' : ''}${formatNumber(row.delta)}`}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      ) : null}
      {data && runs.length >= 2 && !picked ? (
        <Text size="xs" c="dimmed" mt={4}>
          Click a dataset for the samples one run got right and the other wrong.
        </Text>
      ) : null}
      {a && b && picked ? <SampleDiffView a={a} b={b} dataset={picked.dataset} model={data?.acrossModels ? undefined : picked.model} /> : null}
    </>
  );
}
