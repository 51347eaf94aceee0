/**
 * One run: loss / lr / grad-norm / tokens-per-second curves fed by the run's
 * metrics SSE stream (they grow while it trains, no reload), its checkpoints,
 * and resume / cancel / export.
 */
import { Button, Group, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { api, useApi, useEventSource } from '../../api';
import { Chart, lineOption } from '../../components/chart';
import { JobLog } from '../../components/job-log';
import { isActive, useJobs } from '../../components/jobs-context';
import { ErrorNote, formatNumber, StatusBadge } from '../../components/states';
import type { Job, StepLine } from '../../types';

interface RunInfoResponse {
  info: { run: string; status: string; method: string; error?: string; summary?: Record<string, unknown> };
  checkpoints: { path: string; step: number }[];
  model: string | null;
}

export function RunDetail({ run, onChanged }: { run: string; onChanged: () => void }) {
  const [lines, setLines] = useState<StepLine[]>([]);
  const [status, setStatus] = useState('pending');
  const [error, setError] = useState<unknown>();
  const details = useApi<RunInfoResponse>(`/api/runs/${encodeURIComponent(run)}`);
  useEventSource(`/api/runs/${encodeURIComponent(run)}/metrics/stream`, {
    metrics: (data: { lines: StepLine[]; reset: boolean }) => setLines((previous) => (data.reset ? data.lines : [...previous, ...data.lines])),
    status: (data: { status: string }) => {
      setStatus(data.status);
      details.reload();
    },
  });
  const job = useJobs().find((entry) => entry.outputs.run === run);
  const charts = useMemo(() => curves(lines), [lines]);
  const start = (body: unknown) => api<{ job: Job }>('/api/jobs', { body }).then(onChanged, setError);
  const last = [...lines].reverse().find((line) => line.loss !== undefined);
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={4} data-testid="run-title">
            {run}
          </Title>
          <span data-testid="run-status">
            <StatusBadge status={status} />
          </span>
          <Text size="xs" c="dimmed" data-testid="run-progress">
            step {last?.step ?? 0} · loss {formatNumber(last?.loss)} · {formatNumber(last?.tokensPerSecond, 3)} tok/s
          </Text>
        </Group>
        <Group gap="xs">
          {job && isActive(job) ? null : (
            <>
              <Button size="xs" variant="light" onClick={() => start({ kind: 'resume', run })} disabled={status === 'finished'}>
                Resume
              </Button>
              <Button size="xs" variant="light" onClick={() => start({ kind: 'export', run })} disabled={(details.data?.checkpoints.length ?? 0) === 0}>
                Export model
              </Button>
            </>
          )}
        </Group>
      </Group>
      <ErrorNote error={error} />
      <ErrorNote error={details.error} />
      {details.data?.info.error ? <ErrorNote error={new Error(details.data.info.error)} title="Run failed" /> : null}
      <SimpleGrid cols={{ base: 1, md: 2 }} data-testid="run-charts" data-points={lines.length}>
        <Chart option={lineOption('loss', charts.loss)} testId="chart-loss" />
        <Chart option={lineOption('learning rate', charts.lr)} />
        <Chart option={lineOption('grad norm', charts.gradNorm)} />
        <Chart option={lineOption('tokens / s', charts.tokensPerSecond)} />
      </SimpleGrid>
      <Title order={6} mt="sm">
        Checkpoints {details.data?.model ? <Text span size="xs" c="dimmed">· exported to {details.data.model}</Text> : null}
      </Title>
      {(details.data?.checkpoints.length ?? 0) === 0 ? (
        <Text size="xs" c="dimmed">
          none yet (saved every checkpointInterval steps and at the end)
        </Text>
      ) : (
        <Table fz="xs" data-testid="checkpoints-table">
          <Table.Tbody>
            {details.data!.checkpoints.map((checkpoint) => (
              <Table.Tr key={checkpoint.step}>
                <Table.Td>step {checkpoint.step}</Table.Td>
                <Table.Td>{checkpoint.path}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {job ? (
        <div style={{ marginTop: 12 }}>
          <JobLog jobId={job.id} height={140} />
        </div>
      ) : null}
    </Paper>
  );
}

function curves(lines: StepLine[]) {
  const series = (key: keyof StepLine) => lines.filter((line) => typeof line[key] === 'number').map((line) => [line.step, line[key] as number] as [number, number]);
  return {
    loss: [
      { name: 'train', points: series('loss') },
      { name: 'validation', points: series('valLoss') },
    ],
    lr: [{ name: 'lr', points: series('lr') }],
    gradNorm: [{ name: 'grad norm', points: series('gradNorm') }],
    tokensPerSecond: [{ name: 'tokens/s', points: series('tokensPerSecond') }],
  };
}
