/**
 * CHAINLM_HOME: the one workspace folder every package reads and writes.
 *
 *   <home>/
 *     registry/registry.duckdb   artifacts and lineage (see registry/)
 *     datasets/<name>/           ingested datasets (DuckDB/Parquet), quarantine, reports
 *     tokenizers/<name>/         tokenizer.json and friends
 *     models/<name>/             HF-format model folders (imported, merged, quantized)
 *     runs/<run>/                training runs: config, metrics.jsonl, events
 *     checkpoints/<run>/step-N/  training checkpoints (weights, optimizer, RNG, data position)
 *     evals/<run>/               predictions/, results/, summary/
 *     deployments/<name>/        server state and logs
 *     pipelines/<name>/          pipeline stage state (content hashes)
 *     jobs/<id>/                 console-supervised jobs: spec, log, exit status
 *     cache/                     anything that can be deleted
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const homeFolders = [
  'registry',
  'datasets',
  'tokenizers',
  'models',
  'runs',
  'checkpoints',
  'evals',
  'deployments',
  'pipelines',
  'jobs',
  'cache',
] as const;

export type HomeFolder = (typeof homeFolders)[number];

export interface ChainlmHome {
  root: string;
  /** Absolute path of a folder of the layout, plus optional parts below it. */
  path(folder: HomeFolder, ...parts: string[]): string;
  registryFile: string;
}

/** Resolves CHAINLM_HOME (default `./.chainlm` under the current directory). Creates nothing. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ChainlmHome {
  const root = resolve(cwd, env.CHAINLM_HOME && env.CHAINLM_HOME.length > 0 ? env.CHAINLM_HOME : '.chainlm');
  return {
    root,
    path: (folder, ...parts) => join(root, folder, ...parts),
    registryFile: join(root, 'registry', 'registry.duckdb'),
  };
}

/** Resolves the home and creates its folders. */
export function ensureHome(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ChainlmHome {
  const home = resolveHome(env, cwd);
  for (const folder of homeFolders) mkdirSync(join(home.root, folder), { recursive: true });
  return home;
}
