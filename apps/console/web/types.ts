/** Response shapes of the console API, as the pages use them. */
export type JobStatus = 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';

export interface Job {
  id: string;
  kind: string;
  spec: Record<string, unknown>;
  steps: { cli: string; args: string[]; label: string }[];
  outputs: Record<string, string>;
  createdAt: string;
  status: JobStatus;
  step: number;
  exitCode?: number | null;
  signal?: string | null;
  error?: string;
  results: unknown[];
  endedAt?: string;
}

export interface Artifact {
  id: string;
  kind: string;
  name: string;
  path: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Lineage {
  artifact: Artifact;
  up: { artifact: Artifact; depth: number }[];
  down: { artifact: Artifact; depth: number }[];
  edges: { from: string; to: string; relation: string }[];
}

export interface DatasetSummary {
  name: string;
  kind: string;
  counts: { read: number; records: number; quarantined: number };
  createdAt: string;
  derivedFrom: string[];
  hasCleanReport: boolean;
}

export interface DatasetStats {
  records: number;
  quarantined: number;
  read: number;
  tokens?: number;
  chars?: number;
  lengthHistogram?: { fromChars: number; toChars: number; records: number }[];
  languageMix?: { cjk: number; latin: number; none: number };
  duplicates?: number;
  dedupRate?: number;
  shards?: { train: number; validation: number; seqLen: number; rows: number };
}

export interface StepLine {
  step: number;
  loss?: number;
  lr?: number;
  gradNorm?: number;
  tokensPerSecond?: number;
  valLoss?: number;
  valPerplexity?: number;
}

export interface RunSummary {
  run: string;
  status: string;
  method: string;
  createdAt: string;
  lastStep: StepLine | null;
  checkpoints: number;
  exported: boolean;
  error?: string;
}

export interface SummaryRow {
  dataset: string;
  model: string;
  metric: string;
  score: number;
  mode: string;
  promptHash: string;
}

export interface Deployment {
  id: string;
  name: string;
  model: string;
  url: string;
  status: JobStatus;
  ready: boolean;
  createdAt: string;
  replicas: number;
  quant: string | null;
  /** Served by another process (`chainlm start`): no job log, not stoppable here. */
  attached: boolean;
}

export interface EngineSnapshot {
  time: number;
  running: number;
  waiting: number;
  kvBlocksUsed: number;
  kvBlocksFree: number;
  prefixHitRate: number;
  tokensPerSecond: number;
  preemptions: number;
  requests: number;
  ttftMean: number | null;
  ttftP50: number | null;
  ttftP90: number | null;
  /** Worker replicas (`--replicas`); null for one in-thread engine. */
  replicas: { live: number; total: number; restarts: number } | null;
}
