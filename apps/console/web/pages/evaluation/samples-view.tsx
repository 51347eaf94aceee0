/** Per-sample drill-down: prompt, prediction, reference and whether it was correct. */
import { Badge, Code, Group, Pagination, SegmentedControl, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useApi } from '../../api';
import { Empty, ErrorNote, formatNumber, Loading } from '../../components/states';

interface Sample {
  index: number;
  prompt: string | null;
  prediction: unknown;
  reference: unknown;
  correct: boolean | null;
  score: number | null;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export function SamplesView({ run, model, dataset }: { run: string; model: string; dataset: string }) {
  const [filter, setFilter] = useState('all');
  const [page, setPage] = useState(1);
  useEffect(() => {
    setPage(1);
  }, [run, model, dataset, filter]);
  const query = new URLSearchParams({ model, dataset, filter, offset: String((page - 1) * 20), limit: '20' });
  const { data, error, loading } = useApi<{ metric: string; score: number; total: number; samples: Sample[] }>(`/api/evals/${encodeURIComponent(run)}/samples?${query}`);
  return (
    <>
      <Group justify="space-between" mb="xs">
        <Title order={5}>
          {model} on {dataset} {data ? <Text span size="sm">· {data.metric} {formatNumber(data.score)}</Text> : null}
        </Title>
        <SegmentedControl size="xs" value={filter} onChange={setFilter} data={['all', 'correct', 'wrong']} />
      </Group>
      <ErrorNote error={error} />
      {loading && !data ? <Loading /> : null}
      {data && data.samples.length === 0 ? <Empty title="No samples match" /> : null}
      {data && data.samples.length > 0 ? (
        <>
          <Table fz="xs" withTableBorder data-testid="samples-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>prompt</Table.Th>
                <Table.Th>prediction</Table.Th>
                <Table.Th>reference</Table.Th>
                <Table.Th>correct</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.samples.map((sample) => (
                <Table.Tr key={sample.index}>
                  <Table.Td>{sample.index}</Table.Td>
                  <Table.Td maw={360}>
                    <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 120, overflow: 'auto' }}>
                      {sample.prompt ?? ''}
                    </Code>
                  </Table.Td>
                  <Table.Td>{show(sample.prediction)}</Table.Td>
                  <Table.Td>{show(sample.reference)}</Table.Td>
                  <Table.Td>{sample.correct === null ? formatNumber(sample.score) : <Badge color={sample.correct ? 'green' : 'red'}>{sample.correct ? 'yes' : 'no'}</Badge>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Pagination mt="xs" size="sm" total={Math.ceil(data.total / 20)} value={page} onChange={setPage} />
        </>
      ) : null}
    </>
  );
}
