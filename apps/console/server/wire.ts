/**
 * The console API's wire types: what the server's routes send and the web pages
 * read. Types only (no values, no imports but `import type`), so the browser build
 * can import it; shapes a package owns are re-exported from that package rather
 * than redeclared (registry: core, dataset stats: data, eval rows: eval, training
 * metrics: train).
 */
import type { QueueStatus } from '@chainlm/queue';
import type { EvalMetrics, RunInfo, StepMetrics } from '@chainlm/train';

export type { Artifact, Lineage } from '@chainlm/core';
export type { DatasetStats } from '@chainlm/data';
export type { SummaryRow } from '@chainlm/eval';
export type { QueueStatus, TaskStatus, WorkerStatus } from '@chainlm/queue';
export type { EngineSnapshot } from '@chainlm/server';

export type JobStatus = 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';

/** A console job as /api/jobs lists it (job.json + state.json + the log's size). */
export interface JobWire {
  id: string;
  kind: string;
  /** The job spec as submitted (its kind's schema is in jobs/job-spec.ts). */
  spec: { kind: string } & Record<string, unknown>;
  steps: { cli: string; args: string[]; label: string }[];
  outputs: Record<string, string>;
  createdAt: string;
  status: JobStatus;
  /** Index of the step running (or the last one run). */
  step: number;
  exitCode?: number | null;
  signal?: string | null;
  error?: string;
  /** Each finished step's parsed --json stdout (null when it printed none). */
  results: unknown[];
  startedAt?: string;
  endedAt?: string;
  logBytes: number;
}

/** One row of /api/datasets. */
export interface DatasetSummary {
  name: string;
  kind: string;
  counts: { read: number; records: number; quarantined: number };
  createdAt: string;
  updatedAt: string;
  derivedFrom: string[];
  sources: number;
  hasCleanReport: boolean;
}

/** One line of a run's metrics.jsonl as the charts read it: a training step, a validation point, or both merged. */
export type StepLine = { step: number } & Partial<Omit<StepMetrics, 'step'>> & Partial<Omit<EvalMetrics, 'step'>>;

/** One row of /api/runs. */
export interface RunView extends RunInfo {
  lastStep: StepLine | null;
  checkpoints: number;
  exported: boolean;
}

/** One deployment: a serve job this console started, or a server attached to it. */
export interface DeploymentView {
  id: string;
  name: string;
  model: string;
  url: string;
  status: JobStatus;
  /** /health answered: the model is loaded and taking requests. */
  ready: boolean;
  createdAt: string;
  /** Engine replicas behind the address (1 for jobs from before the spec had the field). */
  replicas: number;
  /** Weight quantization at load, null for float32. */
  quant: string | null;
  /** Served by another process (`chainlm start`, `--attach`): no job log, and this console cannot stop it. */
  attached: boolean;
}

/** /api/queue: the distributed runs of the BullMQ deployment the console watches (`--redis`). */
export interface QueueView {
  configured: boolean;
  /** The Redis URL, password redacted; null without --redis. */
  url: string | null;
  runs: QueueStatus[];
  /** Redis could not be read (the URL is named). */
  error?: string;
}
