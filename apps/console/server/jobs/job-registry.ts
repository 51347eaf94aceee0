/**
 * Jobs in the registry: each job is an artifact of kind `job`; a serve job also
 * records its deployment (kind `deployment`) with an edge from the model it
 * serves, and a training job is linked to the run it made.
 */
import type { Artifact, Registry } from '@chainlm/core';
import type { JobView } from './job-store.js';

function jobMetadata(view: JobView): Record<string, unknown> {
  return { kind: view.kind, status: view.status, outputs: view.outputs, exitCode: view.exitCode ?? null, startedAt: view.startedAt ?? null, endedAt: view.endedAt ?? null };
}

/** The registry artifact whose path is `path` (a model folder or checkpoint), if any. */
export async function artifactAtPath(registry: Registry, path: string): Promise<Artifact | undefined> {
  const rows = await registry.query(`SELECT id FROM artifacts WHERE path = $path AND kind IN ('model', 'checkpoint', 'adapter') ORDER BY updated_at DESC LIMIT 1`, { path });
  return rows.length === 0 ? undefined : registry.get(String(rows[0].id));
}

export async function recordJobStart(registry: Registry, view: JobView): Promise<void> {
  await registry.record({ kind: 'job', name: view.id, path: null, metadata: jobMetadata(view) });
  if (view.kind === 'serve') {
    const model = await artifactAtPath(registry, view.outputs.model);
    await registry.record({
      kind: 'deployment',
      name: view.outputs.deployment,
      path: view.outputs.model,
      metadata: { url: view.outputs.url, jobId: view.id, status: 'running', startedAt: view.createdAt },
      inputs: model ? [{ id: model.id, relation: 'serves' }] : [],
    });
  }
}

export async function recordJobEnd(registry: Registry, view: JobView): Promise<void> {
  await registry.record({ kind: 'job', name: view.id, path: null, metadata: jobMetadata(view) });
  if (view.kind === 'serve') {
    const id = `deployment:${view.outputs.deployment}`;
    const deployment = await registry.get(id);
    if (deployment && deployment.metadata.jobId === view.id) {
      await registry.record({ kind: 'deployment', name: deployment.name, path: deployment.path, metadata: { ...deployment.metadata, status: 'stopped', endedAt: view.endedAt ?? null } });
    }
  }
  const run = view.outputs.run;
  if (run && (await registry.get(`run:${run}`))) await registry.link(`job:${view.id}`, `run:${run}`, 'produced');
}
