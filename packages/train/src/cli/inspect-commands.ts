import { defineCommand, resolveHome } from '@chainlm/core';
import { listCheckpoints } from '../checkpoint/list.js';
import type { ExportResult } from '../lora/export.js';
import { isStepMetrics, listRuns, RunStore } from '../loop/run-store.js';

export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'list training runs',
  options: {},
  async run() {
    return { runs: listRuns(resolveHome()) };
  },
  render(result, print) {
    const { runs } = result as { runs: ReturnType<typeof listRuns> };
    if (runs.length === 0) print('no runs yet: start one with `chainlm-train run`');
    for (const run of runs) {
      const loss = run.summary?.finalValLoss;
      print(`${run.run.padEnd(36)} ${run.status.padEnd(9)} ${run.method.padEnd(9)} ${typeof loss === 'number' ? `val ${loss.toFixed(4)}` : ''}`);
    }
  },
});

export const showCommand = defineCommand({
  name: 'show',
  summary: 'a run: folder, status, config, checkpoints, last metrics',
  positionals: [{ name: 'run', description: 'run id', required: true }],
  options: {},
  async run({ positionals }) {
    const store = new RunStore(positionals[0], resolveHome());
    const info = store.info();
    const metrics = store.readMetrics();
    const steps = metrics.filter(isStepMetrics);
    return {
      ...info,
      dir: store.dir,
      metricsFile: store.metricsFile,
      checkpoints: listCheckpoints(store.checkpointsDir),
      steps: steps.at(-1)?.step ?? 0,
      lastMetrics: steps.at(-1) ?? null,
      config: store.readConfig(),
    };
  },
  render(result, print) {
    const shown = result as { run: string; status: string; dir: string; steps: number; checkpoints: { path: string }[] };
    print(`${shown.run}: ${shown.status}, ${shown.steps} steps`);
    print(`  dir ${shown.dir}`);
    for (const checkpoint of shown.checkpoints) print(`  checkpoint ${checkpoint.path}`);
  },
});

function renderExport(result: unknown, print: (text: string) => void): void {
  const exported = result as ExportResult;
  print(`${exported.merged ? 'merged model' : exported.kind} written to ${exported.out}`);
}

export const exportCommand = defineCommand({
  name: 'export',
  summary: "write a run's newest checkpoint as an HF model folder, or a PEFT adapter (LoRA runs)",
  positionals: [{ name: 'run', description: 'run id', required: true }],
  options: {
    out: { type: 'string', description: 'output folder', valueName: 'DIR', required: true },
    merged: { type: 'boolean', description: 'LoRA runs: fold the adapter into the base and write a full HF model' },
  },
  async run({ positionals, options }) {
    const { initBackend } = await import('@chainlm/runtime');
    await initBackend();
    const { exportRun } = await import('../lora/export.js'); // loads the model package only when needed
    return exportRun(positionals[0], { out: options.out, merged: Boolean(options.merged) });
  },
  render: renderExport,
});

export const mergeCommand = defineCommand({
  name: 'merge',
  summary: 'fold a PEFT LoRA adapter into an HF base model: W + (alpha/r)·B·A',
  options: {
    base: { type: 'string', description: 'HF base model folder', valueName: 'DIR', required: true },
    adapter: { type: 'string', description: 'PEFT adapter folder', valueName: 'DIR', required: true },
    out: { type: 'string', description: 'output HF folder', valueName: 'DIR', required: true },
  },
  async run({ options }) {
    const { mergeFolders } = await import('../lora/export.js');
    return mergeFolders({ base: options.base, adapter: options.adapter, out: options.out });
  },
  render: renderExport,
});
