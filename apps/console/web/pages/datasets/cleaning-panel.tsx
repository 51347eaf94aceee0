/** The cleaning report of a dataset made by `clean` (per operator: kept, dropped, examples), and a form to clean it into a new one. */
import { Button, Group, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { api, useApi } from '../../api';
import { JobLog } from '../../components/job-log';
import { Empty, ErrorNote, Loading } from '../../components/states';
import type { DatasetSummary, Job } from '../../types';

interface OperatorReport {
  op: string;
  in: number;
  out: number;
  dropped: number;
  modified: number;
  seconds: number;
  examples: { reason: string; excerpt: string; line: number }[];
}

interface CleanReport {
  input: string;
  read: number;
  kept: number;
  dropped: number;
  seconds: number;
  operators: OperatorReport[];
}

const defaultRecipe = 'operators:\n  - op: nfkc\n  - op: strip-control\n  - op: length\n    minChars: 10\n  - op: exact-dedup\n';

export function CleaningPanel({ dataset }: { dataset: DatasetSummary }) {
  const { data, error, loading } = useApi<{ report: CleanReport | null }>(`/api/datasets/${encodeURIComponent(dataset.name)}/report`);
  return (
    <Stack>
      {error ? <ErrorNote error={error} /> : null}
      {loading ? <Loading /> : null}
      {data && !data.report ? <Empty title="No cleaning report">This dataset was not made by a cleaning run. Clean it below into a new dataset to get one.</Empty> : null}
      {data?.report ? <ReportTable report={data.report} /> : null}
      <CleanForm input={dataset.name} />
    </Stack>
  );
}

function ReportTable({ report }: { report: CleanReport }) {
  return (
    <>
      <Text size="sm" data-testid="clean-report">
        from {report.input}: read {report.read}, kept {report.kept}, dropped {report.dropped} in {report.seconds.toFixed(2)} s
      </Text>
      <Table fz="xs" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>operator</Table.Th>
            <Table.Th>kept</Table.Th>
            <Table.Th>dropped</Table.Th>
            <Table.Th>modified</Table.Th>
            <Table.Th>examples dropped</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.operators.map((operator, index) => (
            <Table.Tr key={index}>
              <Table.Td>{operator.op}</Table.Td>
              <Table.Td>{operator.out}</Table.Td>
              <Table.Td>{operator.dropped}</Table.Td>
              <Table.Td>{operator.modified}</Table.Td>
              <Table.Td>{operator.examples.map((example) => `line ${example.line} ${example.reason}: ${example.excerpt.slice(0, 80)}`).join(' | ')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}

function CleanForm({ input }: { input: string }) {
  const [output, setOutput] = useState(`${input}-clean`);
  const [recipe, setRecipe] = useState(defaultRecipe);
  const [error, setError] = useState<unknown>();
  const [jobId, setJobId] = useState<string>();
  const submit = async () => {
    setError(undefined);
    try {
      setJobId((await api<{ job: Job }>('/api/jobs', { body: { kind: 'clean', input, output, recipe, replace: true } })).job.id);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Stack gap="xs">
      <Group align="end">
        <TextInput label="Clean into" value={output} onChange={(event) => setOutput(event.currentTarget.value)} />
        <Button onClick={submit}>Clean</Button>
      </Group>
      <Textarea label="Recipe (YAML)" autosize minRows={4} value={recipe} onChange={(event) => setRecipe(event.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} />
      <ErrorNote error={error} />
      {jobId ? <JobLog jobId={jobId} height={120} /> : null}
    </Stack>
  );
}
