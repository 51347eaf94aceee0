/**
 * Records each model's results of a run in the chainlm registry (kind `eval`)
 * with a lineage edge from the evaluated model: its configured `registryId`,
 * else the registered artifact with the same path, else a `model:<abbr>`
 * artifact recorded here (path = checkpoint folder or endpoint URL).
 */
import type { Registry } from '@chainlm/core';
import type { SummaryRow } from '../types.js';

export interface RecordedModel {
  abbr: string;
  registryId?: string;
  /** Checkpoint folder or endpoint URL. */
  location: string;
}

export async function recordRun(registry: Registry, run: { name: string; dir: string; rows: SummaryRow[] }, models: readonly RecordedModel[]): Promise<string[]> {
  const ids: string[] = [];
  for (const model of models) {
    const modelId = await modelArtifactId(registry, model);
    const rows = run.rows.filter((row) => row.model === model.abbr);
    const artifact = await registry.record({
      kind: 'eval',
      id: `eval:${run.name}/${model.abbr}`,
      name: `${run.name}/${model.abbr}`,
      path: run.dir,
      metadata: { run: run.name, model: model.abbr, rows },
      inputs: [{ id: modelId, relation: 'evaluated' }],
    });
    ids.push(artifact.id);
  }
  return ids;
}

async function modelArtifactId(registry: Registry, model: RecordedModel): Promise<string> {
  if (model.registryId) return model.registryId;
  const byPath = await registry.query(`SELECT id FROM artifacts WHERE path = $path AND kind IN ('model', 'checkpoint', 'adapter', 'deployment') ORDER BY updated_at DESC LIMIT 1`, { path: model.location });
  if (byPath.length > 0) return String(byPath[0].id);
  const id = `model:${model.abbr}`;
  if (!(await registry.get(id))) await registry.record({ kind: 'model', id, name: model.abbr, path: model.location, metadata: { recordedBy: 'eval' } });
  return id;
}
