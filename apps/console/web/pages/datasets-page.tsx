/** Datasets: the list, a form to ingest a new one (paths or pasted content), and the selected dataset's tabs. */
import { Button, Grid, Group, Paper, Select, Stack, Table, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { api, useApi } from '../api';
import { JobLog } from '../components/job-log';
import { useJobsFinished } from '../components/jobs-context';
import { Empty, ErrorNote, Loading } from '../components/states';
import { setQuery, useLocation } from '../router';
import type { DatasetSummary, Job } from '../types';
import { CleaningPanel } from './datasets/cleaning-panel';
import { DatasetOverview, QuarantineTable, RowsViewer } from './datasets/dataset-details';
import { SqlBox } from './datasets/sql-box';

export function DatasetsPage() {
  const list = useApi<{ datasets: DatasetSummary[] }>('/api/datasets');
  useJobsFinished(['ingest', 'clean'], list.reload);
  const selected = useLocation().query.get('dataset');
  const datasets = list.data?.datasets ?? [];
  const current = datasets.find((entry) => entry.name === selected) ?? datasets[0];
  return (
    <>
      <Title order={3} mb="sm">
        Datasets
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Paper withBorder p="sm" mb="md">
            <ErrorNote error={list.error} />
            {list.loading && !list.data ? <Loading /> : null}
            {list.data && datasets.length === 0 ? <Empty title="No datasets yet">Ingest JSONL, JSON, CSV, text or Parquet files below (or with `chainlm-data ingest`).</Empty> : null}
            {datasets.length > 0 ? (
              <Table highlightOnHover fz="sm" data-testid="datasets-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>name</Table.Th>
                    <Table.Th>kind</Table.Th>
                    <Table.Th>records</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {datasets.map((dataset) => (
                    <Table.Tr key={dataset.name} onClick={() => setQuery('dataset', dataset.name)} style={{ cursor: 'pointer' }} bg={dataset.name === current?.name ? 'var(--mantine-color-blue-light)' : undefined}>
                      <Table.Td>{dataset.name}</Table.Td>
                      <Table.Td>{dataset.kind}</Table.Td>
                      <Table.Td>{dataset.counts.records.toLocaleString()}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : null}
          </Paper>
          <IngestForm />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 8 }}>{current ? <DatasetTabs dataset={current} /> : null}</Grid.Col>
      </Grid>
    </>
  );
}

function DatasetTabs({ dataset }: { dataset: DatasetSummary }) {
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Title order={4} data-testid="dataset-title">
          {dataset.name}
        </Title>
        <Text size="xs" c="dimmed">
          {dataset.kind} · read {dataset.counts.read} · quarantined {dataset.counts.quarantined}
          {dataset.derivedFrom.length > 0 ? ` · from ${dataset.derivedFrom.join(', ')}` : ''}
        </Text>
      </Group>
      <Tabs defaultValue="overview" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="overview">Stats</Tabs.Tab>
          <Tabs.Tab value="rows">Rows</Tabs.Tab>
          <Tabs.Tab value="sql">SQL</Tabs.Tab>
          <Tabs.Tab value="cleaning">Cleaning</Tabs.Tab>
          <Tabs.Tab value="quarantine">Quarantine</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="sm">
          <DatasetOverview name={dataset.name} />
        </Tabs.Panel>
        <Tabs.Panel value="rows" pt="sm">
          <RowsViewer name={dataset.name} />
        </Tabs.Panel>
        <Tabs.Panel value="sql" pt="sm">
          <SqlBox name={dataset.name} />
        </Tabs.Panel>
        <Tabs.Panel value="cleaning" pt="sm">
          <CleaningPanel dataset={dataset} />
        </Tabs.Panel>
        <Tabs.Panel value="quarantine" pt="sm">
          <QuarantineTable name={dataset.name} />
        </Tabs.Panel>
      </Tabs>
    </Paper>
  );
}

function IngestForm() {
  const [name, setName] = useState('');
  const [paths, setPaths] = useState('');
  const [fileName, setFileName] = useState('data.jsonl');
  const [content, setContent] = useState('');
  const [kind, setKind] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [jobId, setJobId] = useState<string>();
  const submit = async () => {
    setError(undefined);
    try {
      const body = {
        kind: 'ingest',
        dataset: name,
        paths: paths.split('\n').map((line) => line.trim()).filter(Boolean),
        ...(content.trim() ? { inline: { fileName, content } } : {}),
        ...(kind ? { recordKind: kind } : {}),
        replace: true,
      };
      setJobId((await api<{ job: Job }>('/api/jobs', { body })).job.id);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Paper withBorder p="sm" data-testid="ingest-form">
      <Title order={5} mb="xs">
        New dataset
      </Title>
      <Stack gap="xs">
        <TextInput label="Name" placeholder="my-data" value={name} onChange={(event) => setName(event.currentTarget.value)} data-testid="ingest-name" />
        <Textarea label="Files or folders on this machine (one per line)" placeholder="../shared/datasets/gsm8k/train.jsonl" autosize minRows={1} value={paths} onChange={(event) => setPaths(event.currentTarget.value)} />
        <Group grow>
          <TextInput label="…or paste content as file" value={fileName} onChange={(event) => setFileName(event.currentTarget.value)} />
          <Select label="Record kind" placeholder="detect" clearable data={['text', 'instruction', 'chat', 'mcq', 'qa']} value={kind} onChange={setKind} />
        </Group>
        <Textarea placeholder={'{"text": "Once upon a time…"}'} autosize minRows={3} maxRows={8} value={content} onChange={(event) => setContent(event.currentTarget.value)} data-testid="ingest-content" />
        <Button onClick={submit} disabled={!name} data-testid="ingest-submit">
          Ingest
        </Button>
        <ErrorNote error={error} />
        {jobId ? <JobLog jobId={jobId} height={120} /> : null}
      </Stack>
    </Paper>
  );
}
