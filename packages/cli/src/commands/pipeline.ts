import { resolve } from 'node:path';
import { defineCommand, loadConfigFile } from '@chainlm/core';
import { builtinStageKinds, pipelineSchema, runPipeline, type PipelineReport } from '@chainlm/pipeline';

export const pipelineRunCommand = defineCommand({
  name: 'pipeline-run',
  summary: 'run a pipeline file: stages skipped when unchanged, stopped at the first failure',
  positionals: [{ name: 'file', description: 'pipeline YAML (see pipelines/ and docs/pipelines.md)', required: true }],
  options: {
    from: { type: 'string', description: 're-run this stage and every stage after it', valueName: 'STAGE' },
    only: { type: 'string', description: 're-run only this stage', valueName: 'STAGE' },
  },
  examples: ['chainlm pipeline run pipelines/demo.yaml', 'chainlm pipeline run pipelines/demo.yaml --from pretrain --json'],
  async run({ options, positionals, events, setExitCode }) {
    const spec = loadConfigFile(resolve(positionals[0]), pipelineSchema, { envPrefix: 'CHAINLM_PIPELINE_' });
    const report = await runPipeline(spec, { kinds: builtinStageKinds(), from: options.from, only: options.only, events });
    if (report.status === 'failed') setExitCode(1);
    return report;
  },
  render(result, print) {
    const report = result as PipelineReport;
    print(`pipeline ${report.pipeline}: ${report.status}`);
    for (const stage of report.stages) {
      const summary = Object.entries(stage.summary)
        .map(([key, value]) => `${key}=${typeof value === 'number' ? Number(value.toPrecision(4)) : JSON.stringify(value)}`)
        .join(' ');
      print(`  ${stage.status.padEnd(8)} ${stage.name.padEnd(16)} ${stage.uses.padEnd(12)} ${stage.seconds.toFixed(1).padStart(7)} s  ${summary}${stage.error ? `  error: ${stage.error}` : ''}`);
    }
  },
});
