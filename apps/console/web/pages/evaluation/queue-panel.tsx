/**
 * Distributed runs (chainlm-eval run --runner queue): each open or recently seen run's
 * queue depth and task states, and the workers alive with what they are doing —
 * streamed once a second from /api/queue/events while the page is open.
 */
import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useEventSource } from '../../api';
import { Empty } from '../../components/states';
import type { QueueStatus, QueueView, WorkerStatus } from '../../types';

const stateColor: Record<string, string> = { running: 'blue', done: 'green', failed: 'red', unknown: 'gray', completed: 'green', active: 'blue', waiting: 'gray', delayed: 'yellow' };

function secondsAgo(iso: string | undefined): string {
  if (!iso) return '–';
  return `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago`;
}

function Workers({ workers }: { workers: WorkerStatus[] }) {
  if (workers.length === 0) return <Text size="sm" c="dimmed">No worker alive: start one with `chainlm-eval worker --redis URL`.</Text>;
  return (
    <Table fz="xs" withTableBorder data-testid="queue-workers">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>worker</Table.Th>
          <Table.Th>current task</Table.Th>
          <Table.Th>last heartbeat</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {workers.map((worker) => (
          <Table.Tr key={worker.id}>
            <Table.Td>
              {worker.host} · pid {worker.pid}
            </Table.Td>
            <Table.Td>{worker.current.map((task) => task.task).join(', ') || 'idle'}</Table.Td>
            <Table.Td>{secondsAgo(worker.lastHeartbeat)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Run({ run }: { run: QueueStatus }) {
  return (
    <Stack gap={4} data-testid="queue-run">
      <Group gap="xs">
        <Text fw={600} size="sm">
          {run.family}/{run.runId}
        </Text>
        <Badge color={stateColor[run.state]}>{run.state}</Badge>
        {(['waiting', 'active', 'completed', 'failed'] as const).map((state) => (
          <Badge key={state} variant="light" color={stateColor[state] ?? 'gray'}>
            {state} {run.counts[state]}
          </Badge>
        ))}
      </Group>
      <Table fz="xs" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>task</Table.Th>
            <Table.Th>state</Table.Th>
            <Table.Th>tries</Table.Th>
            <Table.Th>worker</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {run.tasks.map((task) => (
            <Table.Tr key={task.id}>
              <Table.Td>{task.id}</Table.Td>
              <Table.Td>
                <Badge size="xs" color={stateColor[task.state] ?? 'gray'}>
                  {task.state}
                </Badge>
                {task.failedReason ? <Text size="xs" c="red">{task.failedReason}</Text> : null}
              </Table.Td>
              <Table.Td>{task.attemptsMade}</Table.Td>
              <Table.Td>{task.worker ?? '–'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export function QueuePanel() {
  const [view, setView] = useState<QueueView>();
  useEventSource('/api/queue/events', { queue: setView });
  if (!view) return null;
  const workers = view.runs[0]?.workers ?? [];
  return (
    <Stack gap="sm" data-testid="queue-panel">
      <Title order={5}>Distributed runs {view.url ? <Text span size="xs" c="dimmed">({view.url})</Text> : null}</Title>
      {!view.configured ? (
        <Text size="sm" c="dimmed">
          Start the console with `--redis redis://HOST:PORT` to watch `chainlm-eval run --runner queue` runs and their workers here.
        </Text>
      ) : view.error ? (
        <Text size="sm" c="red">{view.error}</Text>
      ) : view.runs.length === 0 ? (
        <Empty title="No distributed run">Runs started with `chainlm-eval run --runner queue --redis {view.url}` appear here while they run.</Empty>
      ) : (
        <>
          <Workers workers={workers} />
          {view.runs.map((run) => (
            <Run key={`${run.family}/${run.runId}`} run={run} />
          ))}
        </>
      )}
    </Stack>
  );
}
