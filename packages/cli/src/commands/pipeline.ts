import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand, loadConfigFile, type EventBus } from '@chainlm/core';
import { builtinStageKinds, pipelineSchema, runPipeline, type PipelineReport } from '@chainlm/pipeline';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const demoPipelineFile = join(repoRoot, 'pipelines', 'demo.yaml');

const pipelineOptions = {
  from: { type: 'string', description: 're-run this stage and every stage after it', valueName: 'STAGE' },
  only: { type: 'string', description: 're-run only this stage', valueName: 'STAGE' },
  noServe: { type: 'boolean', description: 'skip serve stages (run, evaluate, then exit)' },
} as const;

async function runFile(file: string, options: { from?: string; only?: string; noServe?: boolean }, events: EventBus): Promise<PipelineReport> {
  const spec = loadConfigFile(resolve(file), pipelineSchema, { envPrefix: 'CHAINLM_PIPELINE_' });
  const report = await runPipeline(spec, { kinds: builtinStageKinds(), from: options.from, only: options.only, events, skipKinds: options.noServe ? ['serve'] : [] });
  if (report.services.length > 0) {
    for (const service of report.services) events.emit({ type: 'log', level: 'info', message: `serving "${service.name}" at ${service.url} — Ctrl-C to stop` });
    const closeAll = () => void Promise.all(report.services.map((service) => service.close()));
    process.once('SIGINT', closeAll);
    process.once('SIGTERM', closeAll);
  }
  return report;
}

export const pipelineRunCommand = defineCommand({
  name: 'pipeline-run',
  summary: 'run a pipeline file: stages skipped when unchanged, stopped at the first failure',
  positionals: [{ name: 'file', description: 'pipeline YAML (see pipelines/ and docs/pipelines.md)', required: true }],
  options: pipelineOptions,
  examples: ['chainlm pipeline run pipelines/demo.yaml', 'chainlm pipeline run pipelines/demo.yaml --from pretrain --json --no-serve'],
  async run({ options, positionals, events, setExitCode }) {
    const report = await runFile(positionals[0], options, events);
    if (report.status === 'failed') setExitCode(1);
    return report;
  },
  render: renderReport,
});

export const startCommand = defineCommand({
  name: 'start',
  summary: "the README's main job: the demo pipeline (data → tokenizer → pretrain → SFT → eval before/after), then serve the model and the console",
  options: {
    ...pipelineOptions,
    pipeline: { type: 'string', description: 'run this pipeline file instead of pipelines/demo.yaml (e.g. your edited copy)', valueName: 'FILE' },
  },
  examples: ['chainlm start', 'chainlm start --pipeline my-demo.yaml', 'CHAINLM_CONSOLE_PORT=3001 chainlm start --no-serve'],
  async run({ options, events, setExitCode }) {
    const report = await runFile(options.pipeline ?? demoPipelineFile, options, events);
    if (report.status === 'failed') setExitCode(1);
    else if (!options.noServe) await startConsoleBeside(events, servedBy(report));
    return report;
  },
  render: renderReport,
});

/** The servers the pipeline's serve stages started, for the console to show as deployments. */
function servedBy(report: PipelineReport): { name: string; url: string }[] {
  return report.stages.flatMap((stage) => (stage.uses === 'serve' && stage.status === 'done' && typeof stage.outputs.url === 'string' ? [{ name: String(stage.outputs.model ?? stage.name), url: stage.outputs.url }] : []));
}

/** The web console next to the served model, which it shows as a deployment (skipped with a hint when the console is not built). */
async function startConsoleBeside(events: EventBus, attach: { name: string; url: string }[]): Promise<void> {
  try {
    const { startConsole } = await import('@chainlm/console');
    const started = await startConsole({ port: Number(process.env.CHAINLM_CONSOLE_PORT ?? 3000), attach });
    events.emit({ type: 'log', level: 'info', message: `console at ${started.url}` });
    process.once('SIGINT', () => void started.app.close());
    process.once('SIGTERM', () => void started.app.close());
  } catch (error) {
    events.emit({ type: 'log', level: 'warn', message: `console not started: ${(error as Error).message.split('\n')[0]} (build it with \`npm run build -w apps/console\`)` });
  }
}

function renderReport(result: unknown, print: (text: string) => void): void {
  const report = result as PipelineReport;
  print(`\npipeline ${report.pipeline}: ${report.status}`);
  for (const stage of report.stages) {
    const summary = Object.entries(stage.summary)
      .map(([key, value]) => `${key}=${typeof value === 'number' ? Number(value.toPrecision(4)) : JSON.stringify(value)}`)
      .join(' ');
    print(`  ${stage.status.padEnd(8)} ${stage.name.padEnd(16)} ${stage.uses.padEnd(12)} ${stage.seconds.toFixed(1).padStart(7)} s  ${summary}${stage.error ? `  error: ${stage.error}` : ''}`);
  }
  const evals = report.stages.filter((stage) => stage.uses === 'eval' && stage.outputs.scores);
  if (evals.length > 1) {
    print('\nevaluation (score per dataset):');
    const datasets = [...new Set(evals.flatMap((stage) => Object.keys(stage.outputs.scores as Record<string, number>)))];
    print(`  ${'dataset'.padEnd(14)}${evals.map((stage) => stage.name.padStart(12)).join('')}`);
    for (const dataset of datasets) {
      print(`  ${dataset.padEnd(14)}${evals.map((stage) => String((stage.outputs.scores as Record<string, number>)[dataset]?.toFixed(2) ?? '-').padStart(12)).join('')}`);
    }
  }
}
