/** Start a training run: a preset with a dataset (or file), or a full chainlm-train YAML config. */
import { Button, Group, NumberInput, SegmentedControl, Select, Stack, Switch, TextInput, Textarea, Title, Paper } from '@mantine/core';
import { useState } from 'react';
import { api, useApi } from '../../api';
import { ErrorNote } from '../../components/states';
import type { DatasetSummary, Job } from '../../types';

const exampleYaml = 'preset: tiny\nname: my-run\ndata: { dataset: my-data }\nmaxSteps: 100\n';

export function TrainForm({ onStarted }: { onStarted: (run: string) => void }) {
  const datasets = useApi<{ datasets: DatasetSummary[] }>('/api/datasets');
  const [mode, setMode] = useState('preset');
  const [preset, setPreset] = useState<string | null>('tiny');
  const [data, setData] = useState<string | null>(null);
  const [path, setPath] = useState('');
  const [maxSteps, setMaxSteps] = useState<number | string>(60);
  const [yaml, setYaml] = useState(exampleYaml);
  const [exportModel, setExportModel] = useState(true);
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    setError(undefined);
    const steps = typeof maxSteps === 'number' ? { maxSteps } : {};
    // A YAML config carries its own maxSteps; the preset form's step count would silently override it.
    const body = mode === 'preset' ? { kind: 'train', preset, data: path.trim() || data, ...steps, exportModel } : { kind: 'train', yaml, exportModel };
    try {
      const { job } = await api<{ job: Job }>('/api/jobs', { body });
      if (job.outputs.run) onStarted(job.outputs.run);
    } catch (caught) {
      setError(caught);
    }
  };
  const names = (datasets.data?.datasets ?? []).filter((entry) => entry.kind !== 'mcq').map((entry) => entry.name);
  return (
    <Paper withBorder p="sm" data-testid="train-form">
      <Title order={5} mb="xs">
        New run
      </Title>
      <Stack gap="xs">
        <SegmentedControl size="xs" value={mode} onChange={setMode} data={[{ label: 'Preset', value: 'preset' }, { label: 'YAML', value: 'yaml' }]} />
        {mode === 'preset' ? (
          <>
            <Group grow>
              <Select label="Preset" data={['tiny', 'small']} value={preset} onChange={setPreset} allowDeselect={false} />
              <NumberInput label="Max steps" min={1} value={maxSteps} onChange={setMaxSteps} data-testid="train-steps" />
            </Group>
            <Select label="Dataset" placeholder={names.length === 0 ? 'no datasets yet' : 'pick one'} data={names} value={data} onChange={setData} searchable data-testid="train-dataset" />
            <TextInput label="…or a .txt/.jsonl file path" value={path} onChange={(event) => setPath(event.currentTarget.value)} />
          </>
        ) : (
          <Textarea label="chainlm-train config" autosize minRows={6} value={yaml} onChange={(event) => setYaml(event.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} />
        )}
        <Switch label="Export an HF model when done (for eval and serving)" checked={exportModel} onChange={(event) => setExportModel(event.currentTarget.checked)} />
        <Button onClick={submit} data-testid="train-submit">
          Start training
        </Button>
        <ErrorNote error={error} />
      </Stack>
    </Paper>
  );
}
