/** Start an eval: a model (exported run, any model folder, or a running deployment) on built-in datasets, or a YAML config. */
import { Button, MultiSelect, NumberInput, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { api, useApi } from '../../api';
import { JobLog } from '../../components/job-log';
import { ErrorNote } from '../../components/states';
import type { Artifact, Deployment, Job } from '../../types';

export function EvalForm() {
  const models = useApi<{ artifacts: Artifact[] }>('/api/artifacts?kind=model');
  const deployments = useApi<{ deployments: Deployment[] }>('/api/deployments');
  const presets = useApi<{ presets: string[]; dataDir: string | null }>('/api/eval-presets');
  const [mode, setMode] = useState('builtin');
  const [model, setModel] = useState<string | null>(null);
  const [modelPath, setModelPath] = useState('');
  const [datasets, setDatasets] = useState<string[]>(['arithmetic']);
  const [limit, setLimit] = useState<number | string>(20);
  const [yaml, setYaml] = useState('');
  const [error, setError] = useState<unknown>();
  const [jobId, setJobId] = useState<string>();
  const choices = [
    ...(models.data?.artifacts ?? []).filter((artifact) => artifact.path).map((artifact) => ({ value: artifact.path!, label: `${artifact.name} (model)` })),
    ...(deployments.data?.deployments ?? []).filter((entry) => entry.status === 'running').map((entry) => ({ value: `${entry.url}/v1`, label: `${entry.name} (deployment)` })),
  ];
  const unique = [...new Map(choices.map((choice) => [choice.value, choice])).values()];
  const submit = async () => {
    setError(undefined);
    const limitValue = typeof limit === 'number' ? { limit } : {};
    const body = mode === 'builtin' ? { kind: 'eval', model: modelPath.trim() || model, datasets, ...limitValue } : { kind: 'eval', yaml, ...limitValue };
    try {
      setJobId((await api<{ job: Job }>('/api/jobs', { body })).job.id);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Paper withBorder p="sm" data-testid="eval-form">
      <Title order={5} mb="xs">
        New eval
      </Title>
      <Stack gap="xs">
        <SegmentedControl size="xs" value={mode} onChange={setMode} data={[{ label: 'Built-in datasets', value: 'builtin' }, { label: 'YAML', value: 'yaml' }]} />
        {mode === 'builtin' ? (
          <>
            <Select label="Model" placeholder={unique.length === 0 ? 'no models yet: train and export one' : 'pick one'} data={unique} value={model} onChange={setModel} searchable data-testid="eval-model" />
            <TextInput label="…or a model folder / endpoint URL" value={modelPath} onChange={(event) => setModelPath(event.currentTarget.value)} />
            <MultiSelect label="Datasets" data={presets.data?.presets ?? ['arithmetic']} value={datasets} onChange={setDatasets} />
            {presets.data && !presets.data.dataDir ? (
              <Text size="xs" c="dimmed">
                Only `arithmetic` works without a data folder: start the console with --eval-data-dir ../shared/datasets for the others.
              </Text>
            ) : null}
          </>
        ) : (
          <Textarea label="chainlm-eval config" autosize minRows={6} value={yaml} onChange={(event) => setYaml(event.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} />
        )}
        <NumberInput label="Limit (items per dataset)" min={1} value={limit} onChange={setLimit} />
        <Button onClick={submit} data-testid="eval-submit">
          Evaluate
        </Button>
        <ErrorNote error={error} />
        {jobId ? <JobLog jobId={jobId} height={140} /> : null}
      </Stack>
    </Paper>
  );
}
