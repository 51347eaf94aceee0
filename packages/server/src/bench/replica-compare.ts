/**
 * 1 vs 2 replicas side by side: two servers on the same folder (`--replicas 1`, the
 * engine in the server thread; `--replicas 2`, two worker-thread engines), measured in
 * alternating order each round (the machine is shared, so load drifts) at 16 and 64
 * concurrent streams. The ratio is 2 replicas' output tok/s over 1 replica's in the
 * same round; the median round is reported with the range. Server CPU % (all its
 * threads) shows whether the second replica found a core to run on.
 */
import { loadavg } from 'node:os';
import { startServer, type ServerProcess } from './server-process.js';
import { runStreams, type RunSummary } from './stream-client.js';

export interface ReplicaRow {
  model: string;
  concurrency: number;
  requests: number;
  rounds: number;
  /** Medians over rounds: output tok/s, TTFT p50 ms, server CPU % (100 = one core). */
  one: { tokensPerSecond: number; ttftP50: number; cpuPercent: number };
  two: { tokensPerSecond: number; ttftP50: number; cpuPercent: number };
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  errors: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(server: ServerProcess, concurrency: number, requests: number): Promise<RunSummary & { cpuPercent: number }> {
  const cpuBefore = server.cpuSeconds();
  const summary = await runStreams(server.url, concurrency, requests);
  return { ...summary, cpuPercent: ((server.cpuSeconds() - cpuBefore) / summary.seconds) * 100 };
}

export async function compareReplicas(packageRoot: string, modelDir: string, model: string, rounds: number): Promise<{ rows: ReplicaRow[]; load: [number, number] }> {
  const flags = ['--max-queue', '256', '--max-seqs', '64'];
  const one = await startServer(packageRoot, modelDir, [...flags, '--replicas', '1']);
  const two = await startServer(packageRoot, modelDir, [...flags, '--replicas', '2']);
  const loadBefore = loadavg()[0]!;
  try {
    for (const server of [one, two]) await runStreams(server.url, 16, 32);
    const runs = new Map<number, { one: Awaited<ReturnType<typeof measure>>[]; two: Awaited<ReturnType<typeof measure>>[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of [16, 64]) {
        const entry = runs.get(concurrency) ?? { one: [], two: [] };
        runs.set(concurrency, entry);
        const order = round % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const);
        for (const setup of order) entry[setup].push(await measure(setup === 'one' ? one : two, concurrency, 4 * concurrency));
      }
      console.error(`replicas (${model}) round ${round + 1}/${rounds} done`);
    }
    const rows = [...runs].map(([concurrency, entry]) => {
      const ratios = entry.two.map((run, index) => run.tokensPerSecond / entry.one[index]!.tokensPerSecond);
      const summarize = (list: typeof entry.one) => ({ tokensPerSecond: median(list.map((run) => run.tokensPerSecond)), ttftP50: median(list.map((run) => run.ttftP50)), cpuPercent: median(list.map((run) => run.cpuPercent)) });
      const errors = [...entry.one, ...entry.two].reduce((sum, run) => sum + run.requests - run.ok, 0);
      return { model, concurrency, requests: 4 * concurrency, rounds, one: summarize(entry.one), two: summarize(entry.two), ratio: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios), errors };
    });
    return { rows, load: [loadBefore, loadavg()[0]!] };
  } finally {
    one.stop();
    two.stop();
  }
}
