/** /api/artifacts: the registry (filter by kind) and the lineage of one artifact. */
import { artifactKinds, type ArtifactKind } from '@chainlm/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { consoleErrors } from '../app/errors.js';
import { parseInput } from '../jobs/parse-job-spec.js';
import type { RouteContext } from './context.js';

const listQuery = z.strictObject({ kind: z.enum(artifactKinds).optional() });

export async function registryRoutes(app: FastifyInstance, { registry }: RouteContext): Promise<void> {
  app.get('/api/artifacts', async (request) => {
    const { kind } = parseInput(listQuery, request.query, 'query');
    return { artifacts: await registry.list({ kind: kind as ArtifactKind | undefined }) };
  });

  app.get('/api/artifacts/:id/lineage', async (request) => {
    const { id } = request.params as { id: string };
    const lineage = await registry.lineage(id);
    if (!lineage) throw consoleErrors.notFound(`artifact "${id}"`, 'pick an artifact from the list; ids look like dataset:NAME or run:ID');
    return lineage;
  });
}
