/**
 * Every page sees the same live job list: one EventSource on /api/jobs/events
 * (a snapshot, then one event per change). Pages react to jobs finishing (e.g.
 * the datasets list reloads when an ingest succeeds) without a page reload.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useEventSource } from '../api';
import type { Job } from '../types';

const JobsContext = createContext<Job[]>([]);

export function JobsProvider({ children }: { children: ReactNode }) {
  const [jobs, setJobs] = useState<Job[]>([]);
  useEventSource('/api/jobs/events', {
    snapshot: (data: { jobs: Job[] }) => setJobs(data.jobs),
    job: (job: Job) => setJobs((previous) => [job, ...previous.filter((entry) => entry.id !== job.id)].sort((a, b) => b.createdAt.localeCompare(a.createdAt))),
  });
  return <JobsContext.Provider value={jobs}>{children}</JobsContext.Provider>;
}

export function useJobs(): Job[] {
  return useContext(JobsContext);
}

/** Calls `callback` once each time a job of one of `kinds` reaches a final status. */
export function useJobsFinished(kinds: string[], callback: (job: Job) => void): void {
  const jobs = useJobs();
  const seen = useRef<Map<string, string>>(new Map());
  const ref = useRef(callback);
  ref.current = callback;
  useEffect(() => {
    for (const job of jobs) {
      const before = seen.current.get(job.id);
      seen.current.set(job.id, job.status);
      const final = job.status !== 'running' && job.status !== 'starting';
      if (final && before !== undefined && before !== job.status && kinds.includes(job.kind)) ref.current(job);
    }
  }, [jobs, kinds.join(',')]);
}

export const isActive = (job: Job) => job.status === 'running' || job.status === 'starting';
