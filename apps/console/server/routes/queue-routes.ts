/**
 * /api/queue: the distributed runs of a BullMQ deployment (`--redis URL`), read
 * through @chainlm/queue's one-call status: each open run's queue depth, task states
 * and the workers alive (host, pid, current task, last heartbeat). Runs seen once stay
 * listed with their last state until the console restarts (the newest 20: each is read
 * from Redis on every refresh), so a run that just ended does not vanish from the page. `/api/queue/events` streams the same view every
 * second while a page watches.
 */
import { listOpenRuns, readQueueStatus, redactUrl, type QueueStatus } from '@chainlm/queue';
import type { FastifyInstance } from 'fastify';
import { openSse, pause } from '../app/sse.js';
import type { QueueView } from '../wire.js';
import type { RouteContext } from './context.js';

const families = ['eval', 'data'] as const;
const keptRuns = 20;

export async function queueRoutes(app: FastifyInstance, { options }: RouteContext): Promise<void> {
  const seen = new Map<string, { family: string; runId: string }>();

  const view = async (): Promise<QueueView> => {
    const url = options.redisUrl;
    if (url === undefined) return { configured: false, url: null, runs: [] };
    try {
      for (const family of families) {
        // Re-inserted on every refresh, so the runs still open stay newest and are never the ones dropped.
        for (const runId of await listOpenRuns(url, family)) seen.delete(`${family}/${runId}`), seen.set(`${family}/${runId}`, { family, runId });
      }
      for (const key of [...seen.keys()].slice(0, Math.max(0, seen.size - keptRuns))) seen.delete(key);
      const runs: QueueStatus[] = await Promise.all([...seen.values()].map(({ family, runId }) => readQueueStatus(url, runId, { family })));
      return { configured: true, url: redactUrl(url), runs: runs.reverse() };
    } catch (error) {
      return { configured: true, url: redactUrl(url), runs: [], error: (error as Error).message.split('\n')[0] };
    }
  };

  app.get('/api/queue', async () => view());

  app.get('/api/queue/events', async (request, reply) => {
    const stream = openSse(request, reply);
    let id = 0;
    while (!stream.isClosed()) {
      stream.send('queue', await view(), id++);
      await pause(stream, 1000);
    }
  });
}
