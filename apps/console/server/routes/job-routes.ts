/** /api/jobs: start (ingest, clean, train, resume, export, eval, serve), list, cancel, logs, and SSE streams. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { openSse, pause } from '../app/sse.js';
import { parseInput, parseJobSpec } from '../jobs/parse-job-spec.js';
import { activeStatuses, readLog } from '../jobs/job-store.js';
import type { RouteContext } from './context.js';
import type { JobWire } from '../wire.js';

const logQuery = z.strictObject({ offset: z.coerce.number().int().min(0).default(0) });

export async function jobRoutes(app: FastifyInstance, { supervisor, options }: RouteContext): Promise<void> {
  app.post('/api/jobs', async (request, reply) => {
    const job = await supervisor.start(parseJobSpec(request.body));
    return reply.code(201).send({ job });
  });

  app.get('/api/jobs', async (): Promise<{ jobs: JobWire[] }> => ({ jobs: supervisor.list() }));

  app.get('/api/jobs/:id', async (request): Promise<{ job: JobWire }> => ({ job: supervisor.get((request.params as { id: string }).id) }));

  app.post('/api/jobs/:id/cancel', async (request) => ({ job: await supervisor.cancel((request.params as { id: string }).id) }));

  app.get('/api/jobs/:id/log', async (request) => {
    const { id } = request.params as { id: string };
    const { offset } = parseInput(logQuery, request.query, 'query');
    return readLog(supervisor.jobDir(id), offset);
  });

  /** SSE of every job change: a `snapshot` {jobs} first, then one `job` event per change. */
  app.get('/api/jobs/events', async (request, reply) => {
    const stream = openSse(request, reply);
    let id = 0;
    stream.send('snapshot', { jobs: supervisor.list() }, id++);
    const off = supervisor.on((job) => stream.send('job', job, id++));
    await stream.closed;
    off();
  });

  /** SSE of one job's log: `log` {text} chunks as it grows, `end` {status} once the job is over and the log drained. */
  app.get('/api/jobs/:id/log/stream', async (request, reply) => {
    const { id } = request.params as { id: string };
    const dir = supervisor.jobDir(id);
    const stream = openSse(request, reply);
    let offset = 0;
    let event = 0;
    while (!stream.isClosed()) {
      const chunk = readLog(dir, offset);
      if (chunk.text.length > 0) stream.send('log', { text: chunk.text }, event++);
      offset = chunk.next;
      const job = supervisor.get(id);
      if (!activeStatuses.includes(job.status) && readLog(dir, offset).text.length === 0) {
        stream.send('end', { status: job.status, exitCode: job.exitCode ?? null }, event++);
        stream.end();
        break;
      }
      await pause(stream, options.pollMs);
    }
  });
}
