/**
 * Response shapes of the console API, as the pages use them: the server's wire
 * module (server/wire.ts) under the names the pages grew up with.
 */
export type {
  Artifact,
  DatasetStats,
  DatasetSummary,
  DeploymentView as Deployment,
  EngineSnapshot,
  JobStatus,
  JobWire as Job,
  Lineage,
  QueueStatus,
  QueueView,
  WorkerStatus,
  RunView as RunSummary,
  StepLine,
  SummaryRow,
} from '../server/wire';
