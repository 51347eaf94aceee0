/** The per-sample diff of two eval runs on one dataset: counts per outcome, then the samples of one outcome with both predictions. */
import { Badge, Code, Group, Pagination, SegmentedControl, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useApi } from '../../api';
import { Empty, ErrorNote, formatNumber, Loading } from '../../components/states';

type Outcome = 'a-wins' | 'b-wins' | 'both-right' | 'both-wrong' | 'tie';

interface DiffSample {
  index: number;
  outcome: Outcome;
  prompt: string | null;
  promptB: string | null;
  reference: unknown;
  predictionA: unknown;
  predictionB: unknown;
  correctA: boolean | null;
  correctB: boolean | null;
  scoreA: number | null;
  scoreB: number | null;
}

interface DiffResponse {
  a: { run: string; model: string; metric: string; score: number };
  b: { run: string; model: string; metric: string; score: number };
  counts: Record<Outcome, number>;
  onlyInA: number;
  onlyInB: number;
  total: number;
  samples: DiffSample[];
}

const outcomeLabels: Record<Outcome, string> = { 'a-wins': 'A right, B wrong', 'b-wins': 'A wrong, B right', 'both-right': 'both right', 'both-wrong': 'both wrong', tie: 'same score' };
const outcomeColors: Record<Outcome, string> = { 'a-wins': 'orange', 'b-wins': 'teal', 'both-right': 'green', 'both-wrong': 'gray', tie: 'gray' };
const pageSize = 20;
const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function Verdict({ correct, score }: { correct: boolean | null; score: number | null }) {
  if (correct === null) return <Text span size="xs" c="dimmed">{formatNumber(score)}</Text>;
  return <Badge size="xs" color={correct ? 'green' : 'red'}>{correct ? '✓' : '✗'}</Badge>;
}

export function SampleDiffView({ a, b, dataset, model }: { a: string; b: string; dataset: string; model?: string }) {
  const [filter, setFilter] = useState<string>('all');
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [a, b, dataset, model, filter]);
  const query = new URLSearchParams({ a, b, dataset, filter, offset: String((page - 1) * pageSize), limit: String(pageSize), ...(model ? { modelA: model, modelB: model } : {}) });
  const { data, error, loading } = useApi<DiffResponse>(`/api/compare/samples?${query}`);
  const counts = data?.counts;
  const segments = (['a-wins', 'b-wins', 'both-right', 'both-wrong', 'tie'] as const)
    .filter((outcome) => outcome !== 'tie' || (counts?.tie ?? 0) > 0)
    .map((outcome) => ({ value: outcome, label: `${outcomeLabels[outcome]} (${counts?.[outcome] ?? '…'})` }));
  return (
    <div data-testid="sample-diff" style={{ marginTop: 12 }}>
      <Group justify="space-between" mb="xs">
        <Title order={6}>
          {dataset}: A {data ? <Text span size="xs" c="dimmed">{data.a.run} · {data.a.model} · {formatNumber(data.a.score)}</Text> : null} vs B {data ? <Text span size="xs" c="dimmed">{data.b.run} · {data.b.model} · {formatNumber(data.b.score)}</Text> : null}
        </Title>
      </Group>
      <SegmentedControl size="xs" mb="xs" value={filter} onChange={setFilter} data={[{ value: 'all', label: `all (${data ? Object.values(data.counts).reduce((sum, count) => sum + count, 0) : '…'})` }, ...segments]} data-testid="sample-diff-filter" />
      {data && data.onlyInA + data.onlyInB > 0 ? (
        <Text size="xs" c="dimmed" mb={4}>
          {data.onlyInA} samples only in A and {data.onlyInB} only in B (different limits) are left out.
        </Text>
      ) : null}
      <ErrorNote error={error} />
      {loading && !data ? <Loading /> : null}
      {data && data.samples.length === 0 ? <Empty title={`No samples: ${filter === 'all' ? 'none joined' : outcomeLabels[filter as Outcome]}`} /> : null}
      {data && data.samples.length > 0 ? (
        <>
          <Table fz="xs" withTableBorder data-testid="sample-diff-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>outcome</Table.Th>
                <Table.Th>prompt</Table.Th>
                <Table.Th>reference</Table.Th>
                <Table.Th>A predicted</Table.Th>
                <Table.Th>B predicted</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.samples.map((sample) => (
                <Table.Tr key={sample.index}>
                  <Table.Td>{sample.index}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" variant="light" color={outcomeColors[sample.outcome]}>
                      {outcomeLabels[sample.outcome]}
                    </Badge>
                  </Table.Td>
                  <Table.Td maw={340}>
                    <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 120, overflow: 'auto' }}>
                      {sample.prompt ?? ''}
                    </Code>
                    {sample.promptB !== null ? (
                      <>
                        <Text size="xs" c="orange">B's prompt differs:</Text>
                        <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 120, overflow: 'auto' }}>
                          {sample.promptB}
                        </Code>
                      </>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{show(sample.reference)}</Table.Td>
                  <Table.Td>
                    <Verdict correct={sample.correctA} score={sample.scoreA} /> {show(sample.predictionA)}
                  </Table.Td>
                  <Table.Td>
                    <Verdict correct={sample.correctB} score={sample.scoreB} /> {show(sample.predictionB)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {data.total > pageSize ? <Pagination mt="xs" size="sm" total={Math.ceil(data.total / pageSize)} value={page} onChange={setPage} /> : null}
        </>
      ) : null}
    </div>
  );
}
