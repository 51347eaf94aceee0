/** A job's log, streamed as it grows (SSE), with its status and a cancel button. */
import { Button, Code, Group, ScrollArea, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { api, useEventSource } from '../api';
import type { Job } from '../types';
import { isActive, useJobs } from './jobs-context';
import { ErrorNote, StatusBadge } from './states';

export function JobLog({ jobId, height = 220 }: { jobId: string; height?: number }) {
  const job = useJobs().find((entry) => entry.id === jobId);
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const viewport = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setText('');
  }, [jobId]);
  useEventSource(`/api/jobs/${encodeURIComponent(jobId)}/log/stream`, {
    log: (data: { text: string }) => setText((previous) => (previous + data.text).slice(-200_000)),
  });
  useEffect(() => {
    // scrollTo returns a Promise in newer Chromium: never let it become the effect's cleanup
    void viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [text]);
  const cancel = () => api<{ job: Job }>(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' }).catch(setError);
  return (
    <div data-testid="job-log">
      <Group justify="space-between" mb={4}>
        <Group gap="xs">
          <Text size="sm" fw={600}>
            {job?.kind ?? 'job'} {jobId}
          </Text>
          {job ? <StatusBadge status={job.status} /> : null}
          {job?.exitCode !== undefined && job?.exitCode !== null && job?.status !== 'running' ? <Text size="xs">exit {job.exitCode}</Text> : null}
        </Group>
        {job && isActive(job) ? (
          <Button size="xs" color="red" variant="light" onClick={cancel} data-testid="cancel-job">
            Cancel
          </Button>
        ) : null}
      </Group>
      <ErrorNote error={error} />
      {job?.error ? <ErrorNote error={new Error(job.error)} title="Job error" /> : null}
      <ScrollArea h={height} viewportRef={viewport} type="auto" style={{ background: 'var(--mantine-color-dark-7)', borderRadius: 4 }}>
        <Code block style={{ background: 'transparent', color: '#d0d0d0', whiteSpace: 'pre-wrap' }}>
          {text || '(no output yet)'}
        </Code>
      </ScrollArea>
    </div>
  );
}
