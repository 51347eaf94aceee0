import { z } from 'zod';
import { consoleErrors } from '../app/errors.js';
import { cleanSpec, evalSpec, exportSpec, ingestSpec, jobKinds, resumeSpec, serveSpec, trainSpec, type JobSpec } from './job-spec.js';

const schemas: Record<(typeof jobKinds)[number], z.ZodType> = {
  ingest: ingestSpec,
  clean: cleanSpec,
  train: trainSpec,
  resume: resumeSpec,
  export: exportSpec,
  eval: evalSpec,
  serve: serveSpec,
};

/** Parses a job request body: first its `kind`, then that kind's strict schema, so errors name the real field. */
export function parseJobSpec(body: unknown): JobSpec {
  const kind = (body as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(jobKinds as readonly string[]).includes(kind)) {
    throw consoleErrors.badRequest('kind', `expected one of ${jobKinds.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const result = schemas[kind as JobSpec['kind']].safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw consoleErrors.badRequest(issue.path.length > 0 ? issue.path.join('.') : '(body)', issue.message);
  }
  return result.data as JobSpec;
}

/** Parses any request part against a schema, with the same 400 error shape. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw consoleErrors.badRequest(`${where}${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`, issue.message);
}
