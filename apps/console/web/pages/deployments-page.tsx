/** Deployments: chainlm-serve processes started from a model folder (stopped with one click) or attached from elsewhere (`chainlm start`), their engines' live metrics. */
import { Badge, Button, Code, Grid, Group, NumberInput, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api, useApi } from '../api';
import { useJobs } from '../components/jobs-context';
import { JobLog } from '../components/job-log';
import { Empty, ErrorNote, StatusBadge } from '../components/states';
import { setQuery, useLocation } from '../router';
import type { Artifact, Deployment, Job } from '../types';
import { EngineMetrics } from './deployments/engine-metrics';

/** Deployments, refreshed when serve jobs change and every few seconds while one is not ready yet. */
export function useDeployments() {
  const list = useApi<{ deployments: Deployment[] }>('/api/deployments');
  const serveJobs = useJobs().filter((job) => job.kind === 'serve').map((job) => `${job.id}:${job.status}`).join(',');
  useEffect(() => {
    list.reload();
  }, [serveJobs]);
  const waiting = (list.data?.deployments ?? []).some((entry) => entry.status === 'running' && !entry.ready);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(list.reload, 1000);
    return () => clearInterval(timer);
  }, [waiting]);
  return list;
}

export function DeploymentsPage() {
  const list = useDeployments();
  const deployments = list.data?.deployments ?? [];
  const selected = useLocation().query.get('deployment') ?? deployments.find((entry) => entry.status === 'running')?.id ?? deployments[0]?.id;
  const current = deployments.find((entry) => entry.id === selected);
  const [error, setError] = useState<unknown>();
  const stop = (id: string) => api<{ job: Job }>(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }).catch(setError);
  return (
    <>
      <Title order={3} mb="sm">
        Deployments
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Paper withBorder p="sm" mb="md">
            <ErrorNote error={list.error ?? error} />
            {list.data && deployments.length === 0 ? <Empty title="Nothing deployed">Serve an exported model below; it gets an OpenAI-compatible endpoint on loopback.</Empty> : null}
            {deployments.length > 0 ? (
              <Table fz="xs" highlightOnHover data-testid="deployments-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>name · endpoint</Table.Th>
                    <Table.Th>status</Table.Th>
                    <Table.Th>replicas</Table.Th>
                    <Table.Th>weights</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {deployments.map((entry) => (
                    <Table.Tr key={entry.id} onClick={() => setQuery('deployment', entry.id)} style={{ cursor: 'pointer' }} bg={entry.id === selected ? 'var(--mantine-color-blue-light)' : undefined}>
                      <Table.Td>
                        {entry.name}
                        <Text size="xs" c="dimmed">
                          {entry.url}/v1
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={entry.status === 'running' ? (entry.ready ? 'running' : 'starting') : entry.status === 'cancelled' ? 'stopped' : entry.status} />
                      </Table.Td>
                      <Table.Td data-testid="deployment-replicas">{entry.replicas}</Table.Td>
                      <Table.Td>
                        <Badge size="xs" variant="light" color={entry.quant ? 'grape' : 'gray'}>
                          {entry.quant ?? 'fp32'}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {entry.status === 'running' && !entry.attached ? (
                          <Button size="xs" color="red" variant="light" onClick={() => stop(entry.id)} data-testid="stop-deployment">
                            Stop
                          </Button>
                        ) : null}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : null}
          </Paper>
          <DeployForm />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          {current ? (
            <Paper withBorder p="sm">
              <Title order={5}>{current.name}</Title>
              <Text size="xs" c="dimmed" mb="xs">
                {current.model}
              </Text>
              {current.status === 'running' && current.ready ? <EngineMetrics deploymentId={current.id} /> : <Text size="sm">{current.status === 'running' ? 'Loading the model…' : `This deployment is ${current.status}.`}</Text>}
              {current.attached ? (
                <Text size="xs" c="dimmed" mt="xs" data-testid="deployment-attached">
                  Served by another process (e.g. <Code>chainlm start</Code>): stop it there.
                </Text>
              ) : (
                <div style={{ marginTop: 12 }}>
                  <JobLog jobId={current.id} height={140} />
                </div>
              )}
            </Paper>
          ) : null}
        </Grid.Col>
      </Grid>
    </>
  );
}

function DeployForm() {
  const models = useApi<{ artifacts: Artifact[] }>('/api/artifacts?kind=model');
  const [model, setModel] = useState<string | null>(null);
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [quant, setQuant] = useState<string>('none');
  const [replicas, setReplicas] = useState<number | string>(1);
  const limits = useApi<{ maxReplicas: number }>('/api/serve-options');
  const [error, setError] = useState<unknown>();
  const choices = [...new Map((models.data?.artifacts ?? []).filter((artifact) => artifact.path).map((artifact) => [artifact.path!, { value: artifact.path!, label: artifact.name }])).values()];
  const submit = async () => {
    setError(undefined);
    try {
      const { job } = await api<{ job: Job }>('/api/jobs', { body: { kind: 'serve', model: path.trim() || model, ...(name.trim() ? { name: name.trim() } : {}), ...(quant !== 'none' ? { quant } : {}), replicas: typeof replicas === 'number' ? replicas : Number(replicas) } });
      setQuery('deployment', job.id);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Paper withBorder p="sm" data-testid="deploy-form">
      <Title order={5} mb="xs">
        Deploy a model
      </Title>
      <Stack gap="xs">
        <Select label="Model" placeholder={choices.length === 0 ? 'no models yet: export a training run' : 'pick one'} data={choices} value={model} onChange={setModel} searchable data-testid="deploy-model" />
        <TextInput label="…or an HF model folder" value={path} onChange={(event) => setPath(event.currentTarget.value)} />
        <TextInput label="Name (what clients send as model)" placeholder="default: the folder name" value={name} onChange={(event) => setName(event.currentTarget.value)} />
        <Select
          label="Weight quantization"
          data={[
            { value: 'none', label: 'none (float32)' },
            { value: 'w8a16', label: 'W8A16 (int8 weights, group scales)' },
            { value: 'w4a16', label: 'W4A16 (int4 weights, group scales)' },
          ]}
          value={quant}
          onChange={(value) => setQuant(value ?? 'none')}
          allowDeselect={false}
          data-testid="deploy-quant"
        />
        <NumberInput
          label="Replicas"
          description={`engines behind one address: 1 in the server thread, or N worker threads with a copy of the weights each, sharing the KV budget (1–${limits.data?.maxReplicas ?? 1}, one per CPU core)`}
          min={1}
          max={limits.data?.maxReplicas ?? 1}
          allowDecimal={false}
          value={replicas}
          onChange={setReplicas}
          data-testid="deploy-replicas"
        />
        <Group>
          <Button onClick={submit} data-testid="deploy-submit">
            Deploy
          </Button>
        </Group>
        <ErrorNote error={error} />
      </Stack>
    </Paper>
  );
}
