/**
 * Turns a job spec into CLI steps and the outputs the console can name before the
 * job ends (run id, model folder, deployment URL). Files a step needs (pasted
 * data, YAML configs, recipes) are written into the job folder first.
 */
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic, type ChainlmHome } from '@chainlm/core';
import { datasetExists, readDataset } from '@chainlm/data';
import type { JobSpec, JobStep } from './job-spec.js';

export interface PlannedJob {
  steps: JobStep[];
  /** What the job makes, known up front: `run`, `model` (folder), `url`, `deployment`, `dataset`. */
  outputs: Record<string, string>;
}

type Spec<K extends JobSpec['kind']> = Extract<JobSpec, { kind: K }>;

export async function planJob(spec: JobSpec, home: ChainlmHome, jobDir: string, jobId: string): Promise<PlannedJob> {
  switch (spec.kind) {
    case 'ingest':
      return planIngest(spec, jobDir);
    case 'clean': {
      const recipe = join(jobDir, 'recipe.yaml');
      await writeFileAtomic(recipe, spec.recipe);
      const args = ['clean', spec.input, '--recipe', recipe, '--out', spec.output, '--json', ...(spec.replace ? ['--replace'] : [])];
      return { steps: [{ cli: 'chainlm-data', args, label: 'clean' }], outputs: { dataset: spec.output } };
    }
    case 'train':
      return planTrain(spec, home, jobDir, jobId);
    case 'resume': {
      const steps: JobStep[] = [{ cli: 'chainlm-train', args: ['resume', spec.run, '--json'], label: 'resume' }];
      const model = home.path('models', spec.run);
      if (spec.exportModel) steps.push(exportStep(spec.run, model, false));
      return { steps, outputs: { run: spec.run, ...(spec.exportModel ? { model } : {}) } };
    }
    case 'export': {
      const model = home.path('models', spec.run);
      return { steps: [exportStep(spec.run, model, spec.merged)], outputs: { run: spec.run, model } };
    }
    case 'eval':
      return planEval(spec, jobDir);
    case 'serve':
      return planServe(spec);
  }
}

async function planIngest(spec: Spec<'ingest'>, jobDir: string): Promise<PlannedJob> {
  const paths = spec.paths.map((path) => resolve(path));
  if (spec.inline) {
    const file = join(jobDir, 'upload', spec.inline.fileName);
    await writeFileAtomic(file, spec.inline.content);
    paths.push(file);
  }
  const args = ['ingest', ...paths, '--dataset', spec.dataset, '--json'];
  if (spec.recordKind) args.push('--kind', spec.recordKind);
  if (spec.split) args.push('--split', spec.split);
  if (spec.replace) args.push('--replace');
  return { steps: [{ cli: 'chainlm-data', args, label: 'ingest' }], outputs: { dataset: spec.dataset } };
}

function exportStep(run: string, out: string, merged: boolean): JobStep {
  return { cli: 'chainlm-train', args: ['export', run, '--out', out, '--json', ...(merged ? ['--merged'] : [])], label: 'export' };
}

async function planTrain(spec: Spec<'train'>, home: ChainlmHome, jobDir: string, jobId: string): Promise<PlannedJob> {
  const run = spec.run ?? `${spec.preset ?? 'run'}-${jobId.split('-').slice(1).join('-')}`;
  const steps: JobStep[] = [];
  const args = ['run'];
  if (spec.yaml !== undefined) {
    const file = join(jobDir, 'train.yaml');
    await writeFileAtomic(file, spec.yaml);
    args.push(file);
  } else {
    args.push('--preset', spec.preset!, '--data', await trainingData(spec.data!, home, jobDir, steps));
  }
  if (spec.maxSteps !== undefined) args.push('--max-steps', String(spec.maxSteps));
  if (spec.workers !== undefined) args.push('--workers', String(spec.workers));
  steps.push({ cli: 'chainlm-train', args: [...args, '--run', run, '--json'], label: 'train' });
  const model = home.path('models', run);
  if (spec.exportModel) steps.push(exportStep(run, model, false));
  return { steps, outputs: { run, ...(spec.exportModel ? { model } : {}) } };
}

/**
 * A preset run trains its own BPE tokenizer on a text file. An ingested dataset
 * that is not tokenized is therefore exported to `<job>/<name>.jsonl` first (the
 * file keeps the dataset's name, so the run's lineage still points at it).
 */
async function trainingData(data: string, home: ChainlmHome, jobDir: string, steps: JobStep[]): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(data) || !datasetExists(home, data)) return resolve(data);
  const manifest = await readDataset(home, data);
  if (manifest.kind === 'tokenized') return data;
  const file = join(jobDir, `${data}.jsonl`);
  steps.push({ cli: 'chainlm-data', args: ['export', data, '--to', 'jsonl', '--out', file, '--json'], label: 'export data' });
  return file;
}

async function planEval(spec: Spec<'eval'>, jobDir: string): Promise<PlannedJob> {
  const args = ['run'];
  if (spec.yaml !== undefined) {
    const file = join(jobDir, 'eval.yaml');
    await writeFileAtomic(file, spec.yaml);
    args.push(file);
  } else {
    args.push('--model', /^https?:\/\//.test(spec.model!) ? spec.model! : resolve(spec.model!), '--datasets', spec.datasets.join(','));
  }
  if (spec.limit !== undefined) args.push('--limit', String(spec.limit));
  if (spec.name !== undefined) args.push('--name', spec.name);
  return { steps: [{ cli: 'chainlm-eval', args: [...args, '--json'], label: 'eval' }], outputs: {} };
}

async function planServe(spec: Spec<'serve'>): Promise<PlannedJob> {
  const model = resolve(spec.model);
  const name = spec.name ?? basename(model);
  const port = spec.port ?? (await freePort());
  const args = [model, '--port', String(port), '--host', '127.0.0.1', '--model-name', name];
  if (spec.maxSeqs !== undefined) args.push('--max-seqs', String(spec.maxSeqs));
  if (spec.maxBatchTokens !== undefined) args.push('--max-batch-tokens', String(spec.maxBatchTokens));
  if (spec.quant !== undefined) args.push('--quant', spec.quant);
  // One replica is chainlm-serve's default; the flag is written only when it changes something.
  if (spec.replicas > 1) args.push('--replicas', String(spec.replicas));
  return { steps: [{ cli: 'chainlm-serve', args, label: 'serve' }], outputs: { deployment: name, url: `http://127.0.0.1:${port}`, model } };
}

/** A port free right now on loopback (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
