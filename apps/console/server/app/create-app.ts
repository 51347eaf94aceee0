/**
 * The console app: token auth, one route plugin per concern under /api, and the
 * built front end (dist-web) with an SPA fallback to index.html. Tests drive it
 * in-process with `app.inject()`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { openRegistry, resolveHome } from '@chainlm/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { JobSupervisor } from '../jobs/supervisor.js';
import { compareRoutes } from '../routes/compare-routes.js';
import { datasetRoutes } from '../routes/dataset-routes.js';
import { deploymentRoutes } from '../routes/deployment-routes.js';
import { evalRoutes } from '../routes/eval-routes.js';
import { jobRoutes } from '../routes/job-routes.js';
import { queueRoutes } from '../routes/queue-routes.js';
import { registryRoutes } from '../routes/registry-routes.js';
import { runRoutes } from '../routes/run-routes.js';
import type { RouteContext } from '../routes/context.js';
import { registerAuth } from './auth.js';
import { consoleErrors, errorBody, statusOf } from './errors.js';
import { resolveConsoleOptions, webBuilt, type ConsoleOptions, type ConsoleOptionsInput } from './options.js';

export interface ConsoleApp {
  app: FastifyInstance;
  options: Readonly<ConsoleOptions>;
  supervisor: JobSupervisor;
  close(): Promise<void>;
}

export async function createConsoleApp(input: ConsoleOptionsInput = {}): Promise<ConsoleApp> {
  const options = resolveConsoleOptions(input);
  const home = resolveHome({ CHAINLM_HOME: options.home });
  const registry = openRegistry({ file: home.registryFile });
  const supervisor = new JobSupervisor({ home, registry, killGraceMs: options.killGraceMs, pollMs: options.pollMs, env: options.jobEnv, allowedDirs: options.allowedDirs });
  await supervisor.reconcile();
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  app.setErrorHandler((error, _request, reply) => {
    const status = (error as { validation?: unknown }).validation ? 400 : statusOf(error);
    void reply.code(status).send(errorBody(error));
  });
  registerAuth(app, { token: options.token, host: options.host, allowedHosts: options.allowedHosts });
  const context: RouteContext = { home, registry, supervisor, options };
  for (const routes of [registryRoutes, datasetRoutes, runRoutes, evalRoutes, compareRoutes, jobRoutes, deploymentRoutes, queueRoutes]) await app.register(routes, context);
  app.get('/api/health', async () => ({ ok: true, home: home.root, web: webBuilt(options.webRoot) }));
  await registerWeb(app, options.webRoot);
  app.addHook('onClose', async () => supervisor.close());
  return { app, options, supervisor, close: () => app.close() };
}

async function registerWeb(app: FastifyInstance, webRoot: string): Promise<void> {
  const built = webBuilt(webRoot);
  if (built) await app.register(fastifyStatic, { root: webRoot, index: ['index.html'], wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.method !== 'GET') {
      return reply.code(404).send(errorBody(consoleErrors.notFound(`${request.method} ${request.url.split('?')[0]}`)));
    }
    if (!built) return reply.code(503).type('text/plain').send(`${consoleErrors.webNotBuilt(webRoot).message}\nhint: run \`npm run build -w apps/console\``);
    return reply.type('text/html').send(readFileSync(join(webRoot, 'index.html'))); // SPA route, e.g. /training/run-1
  });
}
