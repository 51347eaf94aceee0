/**
 * Turns a job spec into CLI steps and the outputs the console can name before the
 * job ends (run id, model folder, deployment URL). Files a step needs (pasted
 * data, YAML configs, recipes) are written into the job folder first.
 *
 * Every path a spec names — files to ingest, training data, a model to evaluate or
 * serve, and any path-like string inside a pasted YAML config — must lie inside the
 * home or a folder the operator allowed (`chainlm console --allow-dir`); anything
 * else is refused before a step is planned, so a request cannot make a job read
 * (or write) an arbitrary file of this machine.
 */
import { basename, join } from 'node:path';
import { freePort, parseConfigText, PathOutsideRootError, resolveInsideAny, writeFileAtomic, type ChainlmHome } from '@chainlm/core';
import { z } from 'zod';
import { datasetExists, readDataset } from '@chainlm/data';
import type { JobSpec, JobStep } from './job-spec.js';

export interface PlannedJob {
  steps: JobStep[];
  /** What the job makes, known up front: `run`, `model` (folder), `url`, `deployment`, `dataset`. */
  outputs: Record<string, string>;
}

type Spec<K extends JobSpec['kind']> = Extract<JobSpec, { kind: K }>;

export interface PlanContext {
  home: ChainlmHome;
  jobDir: string;
  jobId: string;
  /** Folders a spec's paths may point into: the home first (relative paths resolve there), then --allow-dir ones. */
  inputRoots: readonly string[];
}

/** A path from a spec, resolved inside the allowed roots or refused naming the field. */
const confine = (context: PlanContext, value: string, field: string) => resolveInsideAny(context.inputRoots, value, { field });

/** Path-like strings in a pasted YAML config (absolute, ~, or with a `..` segment) must lie in the allowed roots too. */
function confineYamlPaths(context: PlanContext, text: string, field: string): void {
  const visit = (value: unknown, at: string): void => {
    if (typeof value === 'string') {
      if (value.startsWith('~')) throw new PathOutsideRootError(`${field}: ${at}`, value, context.inputRoots.join(' or '), 'names a user\'s home folder');
      if (value.startsWith('/') || /(^|[\\/])\.\.([\\/]|$)/.test(value)) confine(context, value, `${field}: ${at}`);
    } else if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${at}[${index}]`));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) visit(item, at ? `${at}.${key}` : key);
  };
  let parsed: unknown;
  try {
    parsed = parseConfigText(text, field, z.unknown());
  } catch {
    return; // the CLI reports the YAML error itself, located
  }
  visit(parsed, '');
}

export async function planJob(spec: JobSpec, context: PlanContext): Promise<PlannedJob> {
  const { home, jobDir } = context;
  switch (spec.kind) {
    case 'ingest':
      return planIngest(spec, context);
    case 'clean': {
      const recipe = join(jobDir, 'recipe.yaml');
      await writeFileAtomic(recipe, spec.recipe);
      const args = ['clean', spec.input, '--recipe', recipe, '--out', spec.output, '--json', ...(spec.replace ? ['--replace'] : [])];
      return { steps: [{ cli: 'chainlm-data', args, label: 'clean' }], outputs: { dataset: spec.output } };
    }
    case 'train':
      return planTrain(spec, context);
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
      return planEval(spec, context);
    case 'serve':
      return planServe(spec, context);
  }
}

async function planIngest(spec: Spec<'ingest'>, context: PlanContext): Promise<PlannedJob> {
  const paths = spec.paths.map((path, index) => confine(context, path, `paths[${index}]`));
  if (spec.inline) {
    const file = join(context.jobDir, 'upload', spec.inline.fileName);
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

async function planTrain(spec: Spec<'train'>, context: PlanContext): Promise<PlannedJob> {
  const { home, jobDir, jobId } = context;
  const run = spec.run ?? `${spec.preset ?? 'run'}-${jobId.split('-').slice(1).join('-')}`;
  const steps: JobStep[] = [];
  const args = ['run'];
  if (spec.yaml !== undefined) {
    confineYamlPaths(context, spec.yaml, 'yaml');
    const file = join(jobDir, 'train.yaml');
    await writeFileAtomic(file, spec.yaml);
    args.push(file);
  } else {
    args.push('--preset', spec.preset!, '--data', await trainingData(spec.data!, context, steps));
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
async function trainingData(data: string, context: PlanContext, steps: JobStep[]): Promise<string> {
  const { home, jobDir } = context;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(data) || !datasetExists(home, data)) return confine(context, data, 'data');
  const manifest = await readDataset(home, data);
  if (manifest.kind === 'tokenized') return data;
  const file = join(jobDir, `${data}.jsonl`);
  steps.push({ cli: 'chainlm-data', args: ['export', data, '--to', 'jsonl', '--out', file, '--json'], label: 'export data' });
  return file;
}

async function planEval(spec: Spec<'eval'>, context: PlanContext): Promise<PlannedJob> {
  const args = ['run'];
  if (spec.yaml !== undefined) {
    confineYamlPaths(context, spec.yaml, 'yaml');
    const file = join(context.jobDir, 'eval.yaml');
    await writeFileAtomic(file, spec.yaml);
    args.push(file);
  } else {
    args.push('--model', /^https?:\/\//.test(spec.model!) ? spec.model! : confine(context, spec.model!, 'model'), '--datasets', spec.datasets.join(','));
  }
  if (spec.limit !== undefined) args.push('--limit', String(spec.limit));
  if (spec.name !== undefined) args.push('--name', spec.name);
  return { steps: [{ cli: 'chainlm-eval', args: [...args, '--json'], label: 'eval' }], outputs: {} };
}

async function planServe(spec: Spec<'serve'>, context: PlanContext): Promise<PlannedJob> {
  const model = confine(context, spec.model, 'model');
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
