/** Training: runs (live), a form to start one from a preset or YAML, the selected run's curves, and two runs' loss curves overlaid. */
import { Grid, Paper, Table, Text, Title } from '@mantine/core';
import { useApi } from '../api';
import { useJobsFinished } from '../components/jobs-context';
import { Empty, ErrorNote, formatNumber, StatusBadge } from '../components/states';
import { setQuery, useLocation } from '../router';
import type { RunSummary } from '../types';
import { CompareTraining } from './training/compare-training';
import { RunDetail } from './training/run-detail';
import { TrainForm } from './training/train-form';

export function TrainingPage() {
  const list = useApi<{ runs: RunSummary[] }>('/api/runs');
  useJobsFinished(['train', 'resume', 'export'], list.reload);
  const selected = useLocation().query.get('run');
  const runs = list.data?.runs ?? [];
  const current = selected ?? runs[0]?.run ?? null;
  return (
    <>
      <Title order={3} mb="sm">
        Training
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Paper withBorder p="sm" mb="md">
            <ErrorNote error={list.error} />
            {list.data && runs.length === 0 ? <Empty title="No training runs yet">Start one below from the tiny preset and a dataset: its curves appear here as it trains.</Empty> : null}
            {runs.length > 0 ? (
              <Table highlightOnHover fz="xs" data-testid="runs-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>run</Table.Th>
                    <Table.Th>status</Table.Th>
                    <Table.Th>step</Table.Th>
                    <Table.Th>loss</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {runs.map((run) => (
                    <Table.Tr key={run.run} onClick={() => setQuery('run', run.run)} style={{ cursor: 'pointer' }} bg={run.run === current ? 'var(--mantine-color-blue-light)' : undefined}>
                      <Table.Td>{run.run}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={run.status} />
                      </Table.Td>
                      <Table.Td>{run.lastStep?.step ?? 0}</Table.Td>
                      <Table.Td>{formatNumber(run.lastStep?.loss)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : null}
          </Paper>
          <TrainForm onStarted={(run) => setQuery('run', run)} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          {current ? (
            <RunDetail run={current} key={current} onChanged={list.reload} />
          ) : (
            <Text c="dimmed" size="sm">
              Curves of the selected run show here.
            </Text>
          )}
          <CompareTraining runs={runs} />
        </Grid.Col>
      </Grid>
    </>
  );
}
