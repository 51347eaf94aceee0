/** Lineage: pick any artifact and see the graph up to its data and down to its evals and deployments. */
import { Grid, Paper, Select, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useApi } from '../api';
import { Chart, type ChartOption } from '../components/chart';
import { useJobsFinished } from '../components/jobs-context';
import { Empty, ErrorNote, Loading } from '../components/states';
import { setQuery, useLocation } from '../router';
import type { Artifact, Lineage } from '../types';

const kindColors: Record<string, string> = { dataset: '#228be6', tokenizer: '#15aabf', run: '#fab005', checkpoint: '#fd7e14', model: '#40c057', adapter: '#82c91e', eval: '#be4bdb', deployment: '#e64980', job: '#868e96', pipeline: '#495057' };

export function LineagePage() {
  const list = useApi<{ artifacts: Artifact[] }>('/api/artifacts');
  useJobsFinished(['ingest', 'clean', 'train', 'resume', 'export', 'eval', 'serve'], list.reload);
  const artifacts = (list.data?.artifacts ?? []).filter((artifact) => artifact.kind !== 'job');
  const selected = useLocation().query.get('id') ?? artifacts.find((artifact) => artifact.kind === 'model')?.id ?? artifacts[0]?.id ?? null;
  const lineage = useApi<Lineage>(selected ? `/api/artifacts/${encodeURIComponent(selected)}/lineage` : null);
  return (
    <>
      <Title order={3} mb="sm">
        Lineage
      </Title>
      <ErrorNote error={list.error} />
      {list.data && artifacts.length === 0 ? <Empty title="The registry is empty">Every dataset, run, checkpoint, model, eval and deployment is recorded with what it was made from; they show here once something exists.</Empty> : null}
      {artifacts.length > 0 ? (
        <Select label="Artifact" data={artifacts.map((artifact) => ({ value: artifact.id, label: `${artifact.id}` }))} value={selected} onChange={(id) => setQuery('id', id)} searchable maw={520} mb="sm" data-testid="lineage-select" />
      ) : null}
      <ErrorNote error={lineage.error} />
      {lineage.loading && !lineage.data ? <Loading /> : null}
      {lineage.data ? <LineageView lineage={lineage.data} /> : null}
    </>
  );
}

function LineageView({ lineage }: { lineage: Lineage }) {
  const option = useMemo(() => graphOption(lineage), [lineage]);
  const related = [...lineage.up.map((entry) => ({ ...entry, direction: 'up' })), ...lineage.down.map((entry) => ({ ...entry, direction: 'down' }))];
  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Paper withBorder p="xs">
          <Chart option={option} height={460} testId="lineage-graph" />
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Text fw={600}>{lineage.artifact.id}</Text>
        <Text size="xs" c="dimmed" mb="xs">
          {lineage.artifact.path}
        </Text>
        {related.length === 0 ? <Text size="sm">No recorded inputs or outputs.</Text> : null}
        <Table fz="xs">
          <Table.Tbody>
            {related.map((entry) => (
              <Table.Tr key={`${entry.direction}${entry.artifact.id}`} onClick={() => setQuery('id', entry.artifact.id)} style={{ cursor: 'pointer' }}>
                <Table.Td>{entry.direction === 'up' ? '↑' : '↓'} {entry.depth}</Table.Td>
                <Table.Td>{entry.artifact.id}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Grid.Col>
    </Grid>
  );
}

/** Columns by depth: ancestors left (−depth), the artifact in the middle, descendants right. */
function graphOption(lineage: Lineage): ChartOption {
  const placed = [{ artifact: lineage.artifact, column: 0 }, ...lineage.up.map((entry) => ({ artifact: entry.artifact, column: -entry.depth })), ...lineage.down.map((entry) => ({ artifact: entry.artifact, column: entry.depth }))];
  const perColumn = new Map<number, number>();
  const nodes = placed.map(({ artifact, column }) => {
    const row = perColumn.get(column) ?? 0;
    perColumn.set(column, row + 1);
    return {
      name: artifact.id,
      x: column * 220,
      y: row * 70,
      symbolSize: artifact.id === lineage.artifact.id ? 26 : 18,
      itemStyle: { color: kindColors[artifact.kind] ?? '#999' },
      label: { show: true, position: 'bottom', fontSize: 10, formatter: artifact.id.length > 34 ? `${artifact.id.slice(0, 32)}…` : artifact.id },
    };
  });
  return {
    tooltip: { formatter: (item: { name?: string; data?: { relation?: string } }) => item.data?.relation ?? item.name ?? '' },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 8,
        data: nodes,
        links: lineage.edges.map((edge) => ({ source: edge.from, target: edge.to, relation: edge.relation, label: { show: true, formatter: edge.relation, fontSize: 9 } })),
        lineStyle: { color: '#aaa', width: 1.5, curveness: 0.1 },
      },
    ],
  };
}
