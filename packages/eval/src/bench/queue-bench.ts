/**
 * `npm run bench:queue -w packages/eval`: eval throughput of the queue runner
 * with 1, 2 and 4 `chainlm-eval worker` processes against one scripted
 * endpoint (a fixed delay per answer stands in for the model, so the endpoint
 * is not the bottleneck), and the queue's own overhead per task: the wall time
 * of a 1-worker queue run minus a local run with one task at a time (the same
 * tasks, the same endpoint), divided by the tasks. Medians of `--repeats` runs
 * after a warm-up. Uses $REDIS_URL or --redis; without either it starts a
 * private redis-server on a free loopback port. `--write` puts the table in its
 * own section of docs/benchmarks/eval.md (core's writeDocSection).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeDocSection } from '@chainlm/core';
import '../builtins.js';
import { buildRunConfig } from '../config/run-config.js';
import { runEval } from '../run/run-eval.js';
import { startScriptedEndpoint } from './scripted-endpoint.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../bin/chainlm-eval.js');
const doc = resolve(here, '../../../../docs/benchmarks/eval.md');
const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    items: { type: 'string', default: '96' },
    shard: { type: 'string', default: '2' },
    'delay-ms': { type: 'string', default: '20' },
    repeats: { type: 'string', default: '3' },
    workers: { type: 'string', default: '1,2,4' },
    write: { type: 'boolean', default: false },
  },
});
const items = Number(values.items);
const shard = Number(values.shard);
const delayMs = Number(values['delay-ms']);
const repeats = Number(values.repeats);
const root = mkdtempSync(join(tmpdir(), 'eval-queue-bench-'));
const env = { ...process.env, CHAINLM_HOME: join(root, 'home'), NO_COLOR: '1' };

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolveListen) => server.once('listening', resolveListen));
  const { port } = server.address() as { port: number };
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

async function privateRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((resolveWait) => setTimeout(resolveWait, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

function startWorkers(count: number, redisUrl: string): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(process.execPath, [cli, 'worker', '--redis', redisUrl], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      return new Promise<ChildProcess>((resolveReady, rejectReady) => {
        let text = '';
        child.stderr!.on('data', (chunk) => {
          text += chunk;
          if (/ready/.test(text)) resolveReady(child);
        });
        child.once('exit', () => rejectReady(new Error(`worker exited: ${text}`)));
      });
    }),
  );
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise((resolveExit) => (child.once('exit', resolveExit), child.kill('SIGTERM')))));
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];
let runs = 0;

async function timedRun(baseUrl: string, runner: Record<string, unknown>): Promise<number> {
  const config = buildRunConfig({
    name: `bench${runs++}x${Date.now().toString(36)}`,
    outputDir: join(root, 'runs'),
    registry: false,
    limit: items,
    presets: ['arithmetic'],
    models: [{ type: 'openai', abbr: 'scripted', baseUrl, model: 'scripted', concurrency: 1 }],
    runner: { concurrency: 1, saveEvery: 16, shardSize: shard, ...runner },
  });
  const started = performance.now();
  await runEval(config);
  return (performance.now() - started) / 1000;
}

async function measure(run: () => Promise<number>): Promise<number> {
  await run(); // warm-up: workers load the dataset and build the model once
  const times: number[] = [];
  for (let index = 0; index < repeats; index++) times.push(await run());
  return median(times);
}

if (!existsSync(cli)) throw new Error(`${cli} is missing: npm run build first`);
const redis = values.redis ?? process.env.REDIS_URL ? { url: (values.redis ?? process.env.REDIS_URL)!, stop: () => undefined } : await privateRedis();
const endpoint = await startScriptedEndpoint({ delayMs });
const tasks = Math.ceil(items / shard) + 1; // shards + the evaluation
try {
  const local = await measure(() => timedRun(endpoint.url, { type: 'local' }));
  const queued: { workers: number; seconds: number }[] = [];
  for (const count of values.workers.split(',').map(Number)) {
    const children = await startWorkers(count, redis.url);
    try {
      queued.push({ workers: count, seconds: await measure(() => timedRun(endpoint.url, { type: 'queue', redis: redis.url })) });
    } finally {
      await stopWorkers(children);
    }
  }
  const one = queued.find((entry) => entry.workers === 1)?.seconds ?? queued[0].seconds;
  const overheadMs = ((one - local) / tasks) * 1000;
  const rows = [
    `| local runner, 1 task at a time (baseline) | 1 | ${local.toFixed(2)} | ${(tasks / local).toFixed(1)} | ${(one / local).toFixed(2)}× |`,
    ...queued.map((entry) => `| queue runner, ${entry.workers} worker process${entry.workers > 1 ? 'es' : ''} | ${entry.workers} | ${entry.seconds.toFixed(2)} | ${(tasks / entry.seconds).toFixed(1)} | ${(one / entry.seconds).toFixed(2)}× |`),
  ];
  const command = `npm run build && npm run bench:queue -w packages/eval -- --write`;
  const section = [
    '## Queue runner (BullMQ on Redis, #18)',
    '',
    `\`${command}\`. Machine: ${process.platform} ${process.arch}, ${cpus().length} cores shared with other work (load average ${loadavg()[0].toFixed(2)} at the end), Node ${process.version}, Redis on loopback, ${new Date().toISOString().slice(0, 10)}.`,
    `${tasks} tasks (arithmetic, ${items} items in shards of ${shard}, plus the evaluation) against one scripted endpoint answering after ${delayMs} ms (model concurrency 1: a shard is ${shard} requests in a row); each worker runs one task at a time; median of ${repeats} runs after a warm-up.`,
    '',
    '| runner | processes | wall s | tasks/s | speed-up vs 1 worker |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Queue overhead per task: **${overheadMs.toFixed(1)} ms** (1-worker queue run − local run, ÷ ${tasks} tasks: submitting, a worker taking it, the result back through Redis, BullMQ's bookkeeping).`,
  ].join('\n');
  console.log(section);
  if (values.write) {
    writeDocSection(doc, 'queue-runner', section, '# eval benchmarks');
    console.log(`\nwritten to ${doc}`);
  }
} finally {
  await endpoint.close();
  redis.stop();
  rmSync(root, { recursive: true, force: true });
}
