/** /api/runs: training runs, their metrics (also as a live SSE stream), checkpoints, presets. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCheckpoints, listRuns, RunStore, trainPresets } from '@chainlm/train';
import type { FastifyInstance } from 'fastify';
import { consoleErrors } from '../app/errors.js';
import { openSse, pause } from '../app/sse.js';
import { JsonlTail } from '../readers/file-tail.js';
import type { RouteContext } from './context.js';
import type { RunView } from '../wire.js';

const runPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export async function runRoutes(app: FastifyInstance, { home, options, supervisor }: RouteContext): Promise<void> {
  const store = (params: unknown) => {
    const { run } = params as { run: string };
    if (!runPattern.test(run)) throw consoleErrors.badRequest('run', `"${run}" is not a run id`);
    return new RunStore(run, home);
  };

  app.get('/api/presets', async () => ({ presets: trainPresets }));

  app.get('/api/runs', async () => {
    const runs = listRuns(home).map((info): RunView => {
      const runStore = new RunStore(info.run, home);
      const metrics = runStore.readMetrics();
      const lastStep = [...metrics].reverse().find((line) => 'loss' in line);
      return { ...info, lastStep: lastStep ?? null, checkpoints: listCheckpoints(runStore.checkpointsDir).length, exported: existsSync(join(home.path('models', info.run), 'config.json')) };
    });
    return { runs: runs.reverse() };
  });

  app.get('/api/runs/:run', async (request) => {
    const runStore = store(request.params);
    if (!runStore.exists()) throw consoleErrors.notFound(`run "${runStore.run}"`, 'the Training page lists the runs of this CHAINLM_HOME');
    const model = home.path('models', runStore.run);
    const jobs = supervisor.list().filter((job) => job.outputs.run === runStore.run).map(({ id, kind, status, createdAt }) => ({ id, kind, status, createdAt }));
    return {
      info: runStore.info(),
      config: existsSync(join(runStore.dir, 'config.json')) ? runStore.readConfig() : null,
      checkpoints: listCheckpoints(runStore.checkpointsDir),
      model: existsSync(join(model, 'config.json')) ? model : null,
      jobs,
    };
  });

  app.get('/api/runs/:run/metrics', async (request) => ({ metrics: store(request.params).readMetrics() }));

  /** SSE: `metrics` {lines, reset} as metrics.jsonl grows, `status` when run.json changes. Waits for a run that does not exist yet. */
  app.get('/api/runs/:run/metrics/stream', async (request, reply) => {
    const runStore = store(request.params);
    const stream = openSse(request, reply);
    const tail = new JsonlTail(runStore.metricsFile);
    let lastStatus = '';
    let id = 0;
    while (!stream.isClosed()) {
      const { lines, reset } = tail.read();
      if (lines.length > 0 || reset) stream.send('metrics', { lines, reset }, id++);
      const status = runStore.exists() ? readRunStatus(runStore.dir) : 'pending';
      if (status !== lastStatus) {
        lastStatus = status;
        stream.send('status', { status }, id++);
      }
      await pause(stream, options.pollMs);
    }
  });
}

function readRunStatus(dir: string): string {
  try {
    return String((JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status?: unknown }).status ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
