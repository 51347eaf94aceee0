/**
 * /api/deployments: the serve jobs (their URL, model, health), live engine
 * metrics read from each server's /metrics, and the Playground's two doors: a
 * streaming chat proxy to the deployment's OpenAI API (the browser only ever
 * talks to the console, which holds the session) and an agent run whose
 * thought / tool-call / observation steps stream back as SSE.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { engineSnapshot } from '@chainlm/server';
import { z } from 'zod';
import { consoleErrors } from '../app/errors.js';
import type { ConsoleOptions } from '../app/options.js';
import { parseInput } from '../jobs/parse-job-spec.js';
import type { JobView } from '../jobs/job-store.js';
import { maxReplicas, serveSpec } from '../jobs/job-spec.js';
import type { RouteContext } from './context.js';
import type { DeploymentView } from '../wire.js';
import { runAgentStream } from './agent-stream.js';

export type { DeploymentView };

const attachedPrefix = 'attached:';

function servedAs(job: JobView): { replicas: number; quant: string | null } {
  const spec = job.spec.kind === 'serve' ? job.spec : undefined;
  return { replicas: spec?.replicas ?? 1, quant: spec?.quant ?? null };
}

const chatBody = z.looseObject({ messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).min(1) });

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(800) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function deploymentRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { supervisor } = context;
  const views = async (jobs: JobView[]): Promise<DeploymentView[]> =>
    Promise.all(
      jobs.map(async (job) => ({
        id: job.id,
        name: job.outputs.deployment,
        model: job.outputs.model,
        url: job.outputs.url,
        status: job.status,
        ready: job.status === 'running' ? await healthy(job.outputs.url) : false,
        createdAt: job.createdAt,
        ...servedAs(job),
        attached: false,
      })),
    );
  const consoleStarted = new Date().toISOString();
  const attachedView = async (entry: ConsoleOptions['attach'][number]): Promise<DeploymentView> => {
    const ready = await healthy(entry.url);
    // A server that does not answer is shown as lost: this console has no process to ask.
    return { id: `${attachedPrefix}${entry.name}`, name: entry.name, model: entry.model ?? entry.name, url: entry.url, status: ready ? 'running' : 'lost', ready, createdAt: consoleStarted, replicas: 1, quant: null, attached: true };
  };
  const deployment = async (id: string): Promise<DeploymentView> => {
    if (id.startsWith(attachedPrefix)) {
      const entry = context.options.attach.find((candidate) => `${attachedPrefix}${candidate.name}` === id);
      if (!entry) throw consoleErrors.notFound(`deployment "${id}"`, `attached: ${context.options.attach.map((candidate) => candidate.name).join(', ') || 'none'}`);
      return attachedView(entry);
    }
    const job = supervisor.get(id);
    if (job.kind !== 'serve') throw consoleErrors.notFound(`deployment "${id}"`, 'deployments are serve jobs: start one on the Deployments page');
    return (await views([job]))[0];
  };
  const running = async (id: string) => {
    const view = await deployment(id);
    if (view.status !== 'running') throw consoleErrors.conflict(`deployment "${view.name}" is ${view.status}`, 'start it again from the Deployments page');
    return view;
  };

  /** What the deploy form may offer: replicas 1..maxReplicas, these quantization schemes. */
  app.get('/api/serve-options', async () => ({ maxReplicas, quantSchemes: serveSpec.shape.quant.unwrap().options }));

  app.get('/api/deployments', async () => ({ deployments: [...(await Promise.all(context.options.attach.map(attachedView))), ...(await views(supervisor.list().filter((job) => job.kind === 'serve')))] }));

  app.get('/api/deployments/:id', async (request) => ({ deployment: await deployment((request.params as { id: string }).id) }));

  app.get('/api/deployments/:id/metrics', async (request) => {
    const view = await running((request.params as { id: string }).id);
    let text: string;
    try {
      const response = await fetch(`${view.url}/metrics`, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } catch (error) {
      throw consoleErrors.upstream(view.url, (error as Error).message);
    }
    return { snapshot: engineSnapshot(text) };
  });

  /** Proxies POST /v1/chat/completions, streaming the server's SSE bytes through as they come. */
  app.post('/api/deployments/:id/chat', async (request, reply) => {
    const view = await running((request.params as { id: string }).id);
    const body = parseInput(chatBody, request.body, 'body');
    const controller = new AbortController();
    request.raw.on('close', () => controller.abort());
    const upstreamBody = { model: view.name, ...body, ...(body.stream ? { stream_options: { include_usage: true } } : {}) };
    let upstream: Response;
    try {
      upstream = await fetch(`${view.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(upstreamBody), signal: controller.signal });
    } catch (error) {
      throw consoleErrors.upstream(view.url, (error as Error).message);
    }
    reply.code(upstream.status).header('content-type', upstream.headers.get('content-type') ?? 'application/json').header('cache-control', 'no-cache');
    return reply.send(upstream.body ? Readable.fromWeb(upstream.body as never) : '');
  });

  app.post('/api/deployments/:id/agent', async (request, reply) => {
    const view = await running((request.params as { id: string }).id);
    await runAgentStream(request, reply, view, context);
  });
}
