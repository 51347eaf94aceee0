/**
 * Where `--quant` should run behind N replicas (a one-off measurement behind a design
 * choice, printed, not written): (a) once in the front thread, the quantized weights
 * then structured-cloned to the workers (what load-model.ts does); (b) in every
 * worker, each reading the float folder and quantizing it itself. Reports wall time
 * until the replicas hold their weights, and the CPU seconds of the whole process.
 * Usage: node dist/bench/quant-placement.js [--hidden 512] [--layers 8] [--replicas 2]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createQuantizedModel, quantizeModel, type QuantizedModel } from '@chainlm/engine';
import { createModel, loadHfFolder, parseHfConfig, presetConfig, saveHfFolder, toHfConfig } from '@chainlm/model';
import { initBackend } from '@chainlm/runtime';

type Job = { dir: string } | { quantized: QuantizedModel };

async function quantizedFromFolder(dir: string): Promise<QuantizedModel> {
  const folder = await loadHfFolder(dir);
  const model = createModel(parseHfConfig(folder.configJson), folder.weights);
  const quantized = quantizeModel(model, { bits: 4, groupSize: 64 });
  model.dispose();
  return quantized;
}

/** Worker side: builds the replica's model from what it was given, then reports. */
async function replica(job: Job): Promise<void> {
  await initBackend();
  const model = createQuantizedModel('dir' in job ? await quantizedFromFolder(job.dir) : job.quantized);
  model.dispose();
  parentPort!.postMessage('ready');
}

function startReplicas(count: number, job: Job): Promise<void[]> {
  return Promise.all(
    Array.from({ length: count }, () => new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: job });
      worker.once('message', () => worker.terminate().then(() => resolve()));
      worker.once('error', reject);
    })),
  );
}

async function timed(run: () => Promise<unknown>): Promise<{ seconds: number; cpuSeconds: number }> {
  const [started, cpu] = [performance.now(), process.cpuUsage()];
  await run();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const option = (name: string, fallback: number) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
  const [hidden, layers, replicas] = [option('hidden', 512), option('layers', 8), option('replicas', 2)];
  await initBackend();
  const config = presetConfig('tiny', { vocabSize: 4096, hiddenSize: hidden, intermediateSize: hidden * 3, numLayers: layers, numHeads: 8, numKvHeads: 4 });
  const model = createModel(config, undefined, { seed: 1 });
  const dir = join(mkdtempSync(join(tmpdir(), 'chainlm-quant-placement-')), 'model');
  await saveHfFolder(dir, { configJson: toHfConfig(config), weights: model.toWeightMap() });
  const parameters = model.parameters().reduce((sum, parameter) => sum + parameter.variable.size, 0);
  model.dispose();
  const front = await timed(async () => startReplicas(replicas, { quantized: await quantizedFromFolder(dir) }));
  const each = await timed(() => startReplicas(replicas, { dir }));
  const row = (name: string, result: typeof front) => `| ${name} | ${result.seconds.toFixed(2)} | ${result.cpuSeconds.toFixed(2)} |`;
  process.stdout.write(
    [
      `W4A16 of a ${(parameters / 1e6).toFixed(1)}M-parameter model (${hidden}-dim, ${layers} layers) behind ${replicas} replicas:`,
      '',
      '| quantized | wall s | CPU s |',
      '| --- | ---: | ---: |',
      row('once in the front, cloned to the workers', front),
      row('in every worker', each),
      '',
      `each-worker / front: wall ${(each.seconds / front.seconds).toFixed(2)}x, CPU ${(each.cpuSeconds / front.cpuSeconds).toFixed(2)}x`,
      '',
    ].join('\n'),
  );
}

if (isMainThread) await main();
else await replica(workerData as Job);
