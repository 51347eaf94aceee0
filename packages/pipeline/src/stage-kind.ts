import type { ChainlmHome, EventBus, Registry } from '@chainlm/core';

/** What a stage kind gets to run with. */
export interface StageContext {
  pipeline: string;
  stage: string;
  /** A folder of this stage's own under CHAINLM_HOME/pipelines/<pipeline>/<stage>. */
  dir: string;
  home: ChainlmHome;
  registry: Registry;
  events: EventBus;
  /** Registry ids produced by the stages this one needs: record them as lineage inputs. */
  upstreamArtifacts: string[];
}

/** A live service a stage leaves running (a server): the run's report owns it, and whoever holds the report closes it. */
export interface RunningService {
  name: string;
  url: string;
  close(): Promise<void>;
}

export interface StageResult {
  /** JSON values later stages can reference as `${stages.NAME.KEY}`. */
  outputs: Record<string, unknown>;
  /** Registry ids this stage recorded. */
  artifacts?: string[];
  /** Numbers for the pipeline summary (losses, scores, sizes). */
  summary?: Record<string, unknown>;
  /** Services this stage started and left running (only `alwaysRun` kinds). */
  services?: RunningService[];
}

/** One kind of stage (`uses: ingest`): a thin call into the owning package's API. */
export interface StageKind {
  name: string;
  description: string;
  /** Bumped when the meaning of the kind's parameters changes, so old results are not reused. */
  version: number;
  /**
   * The packages whose code computes this stage's result (their @chainlm
   * dependencies count too): their built code is part of the cache key, so a
   * changed implementation runs the stage again (see code-version.ts).
   */
  code: readonly string[];
  run(params: Record<string, unknown>, context: StageContext): Promise<StageResult>;
  /** Extra fingerprint of inputs the parameters only point at (e.g. file contents). */
  fingerprint?(params: Record<string, unknown>): Promise<string>;
  /** Runs every time (a live service such as `serve`), never skipped as unchanged. */
  alwaysRun?: boolean;
  /** Whether earlier outputs are still usable (their files still exist). */
  stillValid?(outputs: Record<string, unknown>, home: ChainlmHome): boolean;
}
