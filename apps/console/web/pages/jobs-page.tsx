/** Every job the console supervises (this CHAINLM_HOME), live, with its log. */
import { Grid, Paper, Table, Text, Title } from '@mantine/core';
import { JobLog } from '../components/job-log';
import { useJobs } from '../components/jobs-context';
import { Empty, StatusBadge } from '../components/states';
import { setQuery, useLocation } from '../router';

export function JobsPage() {
  const jobs = useJobs();
  const selected = useLocation().query.get('job') ?? jobs[0]?.id ?? null;
  return (
    <>
      <Title order={3} mb="sm">
        Jobs
      </Title>
      {jobs.length === 0 ? (
        <Empty title="No jobs yet">Jobs are started from the other pages: ingest a dataset, train, evaluate, deploy. They keep running when the console restarts.</Empty>
      ) : (
        <Grid>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Table highlightOnHover fz="xs" data-testid="jobs-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>job</Table.Th>
                  <Table.Th>status</Table.Th>
                  <Table.Th>step</Table.Th>
                  <Table.Th>started</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {jobs.map((job) => (
                  <Table.Tr key={job.id} onClick={() => setQuery('job', job.id)} style={{ cursor: 'pointer' }} bg={job.id === selected ? 'var(--mantine-color-blue-light)' : undefined}>
                    <Table.Td>{job.id}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={job.status} />
                    </Table.Td>
                    <Table.Td>{job.steps[job.step]?.label ?? ''}</Table.Td>
                    <Table.Td>{new Date(job.createdAt).toLocaleTimeString()}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            {selected ? (
              <Paper withBorder p="sm">
                <JobLog jobId={selected} height={480} />
              </Paper>
            ) : (
              <Text>Pick a job</Text>
            )}
          </Grid.Col>
        </Grid>
      )}
    </>
  );
}
