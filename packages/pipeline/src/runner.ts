/**
 * Runs a pipeline like a build system: stages in order, each skipped when its kind,
 * its resolved parameters, its input fingerprint and its upstream stages' hashes are
 * unchanged and its outputs still exist. `from` re-runs a stage and every stage after
 * it; `only` re-runs one stage (its upstream must be done). A failing stage stops the
 * run; finished stages keep their state and outputs, so a fix + re-run resumes there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ChainlmError, EventBus, openRegistry, resolveHome, stableHash, type ChainlmHome, type Registry } from '@chainlm/core';
import { codeVersion } from './code-version.js';
import { interpolate, referencedStages } from './interpolate.js';
import type { PipelineSpec, StageSpec } from './schema.js';
import type { RunningService, StageKind } from './stage-kind.js';
import { writeModelCard } from './model-card.js';
import { readState, writeState, type PipelineState } from './state.js';

export interface RunPipelineOptions {
  kinds: ReadonlyMap<string, StageKind>;
  from?: string;
  only?: string;
  home?: ChainlmHome;
  registry?: Registry;
  events?: EventBus;
  /** Stage kinds not to run this time (e.g. `serve` under --no-serve). */
  skipKinds?: readonly string[];
}

export interface StageReport {
  name: string;
  uses: string;
  status: 'done' | 'skipped' | 'failed' | 'not-run';
  seconds: number;
  outputs: Record<string, unknown>;
  summary: Record<string, unknown>;
  error?: string;
}

export interface PipelineReport {
  pipeline: string;
  status: 'ok' | 'failed';
  stages: StageReport[];
  stateFile: string;
  /** Services the run's stages left running (servers); close them when done (JSON output leaves out `close`). */
  services: RunningService[];
}

export async function runPipeline(spec: PipelineSpec, options: RunPipelineOptions): Promise<PipelineReport> {
  const home = options.home ?? resolveHome();
  const registry = options.registry ?? openRegistry({ file: home.registryFile });
  const events = options.events ?? new EventBus();
  const stages = resolveNeeds(spec, options.kinds);
  const forced = forcedStages(stages, options);
  const pipelineDir = home.path('pipelines', spec.name);
  mkdirSync(pipelineDir, { recursive: true });
  const stateFile = join(pipelineDir, 'state.json');
  const state: PipelineState = readState(stateFile);
  const reports: StageReport[] = [];
  const services: RunningService[] = [];
  let failed = false;

  for (const stage of stages) {
    const report: StageReport = { name: stage.name, uses: stage.uses, status: 'not-run', seconds: 0, outputs: {}, summary: {} };
    reports.push(report);
    if (failed || (options.only !== undefined && stage.name !== options.only) || options.skipKinds?.includes(stage.uses)) {
      Object.assign(report, reuse(state, stage.name), { status: failed ? 'not-run' : state[stage.name]?.status === 'done' ? 'skipped' : 'not-run' });
      continue;
    }
    const kind = options.kinds.get(stage.uses)!;
    const scope = { vars: spec.vars, stages: Object.fromEntries(Object.entries(state).map(([name, entry]) => [name, entry.outputs])) };
    const params = interpolate(stage.with, scope, `stages.${stage.name}.with`) as Record<string, unknown>;
    const hash = stableHash({
      uses: stage.uses,
      version: kind.version,
      code: codeVersion(kind.code),
      params,
      fingerprint: kind.fingerprint ? await kind.fingerprint(params) : null,
      upstream: stage.needs.map((name) => state[name]?.hash ?? null),
    });
    const previous = state[stage.name];
    if (!forced.has(stage.name) && !kind.alwaysRun && previous?.status === 'done' && previous.hash === hash && (kind.stillValid?.(previous.outputs, home) ?? true)) {
      Object.assign(report, reuse(state, stage.name), { status: 'skipped' });
      events.emit({ type: 'log', level: 'info', message: `⏭ ${stage.name} (${stage.uses}) unchanged, skipped` });
      continue;
    }
    const started = performance.now();
    const task = events.task(`stage:${stage.name}`, { label: `${stage.name} (${stage.uses})` });
    try {
      const dir = join(pipelineDir, stage.name);
      mkdirSync(dir, { recursive: true });
      const upstreamArtifacts = stage.needs.flatMap((name) => state[name]?.artifacts ?? []);
      const result = await kind.run(params, { pipeline: spec.name, stage: stage.name, dir, home, registry, events, upstreamArtifacts });
      services.push(...(result.services ?? []));
      const seconds = (performance.now() - started) / 1000;
      state[stage.name] = {
        status: 'done',
        hash,
        uses: stage.uses,
        outputs: result.outputs,
        artifacts: result.artifacts ?? [],
        summary: result.summary ?? {},
        seconds,
        finishedAt: new Date().toISOString(),
      };
      Object.assign(report, { status: 'done', seconds, outputs: result.outputs, summary: result.summary ?? {} });
      task.finish(result.summary);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      state[stage.name] = { ...(previous ?? { outputs: {}, artifacts: [], summary: {} }), status: 'failed', hash, uses: stage.uses, seconds: 0, finishedAt: new Date().toISOString(), error: message };
      Object.assign(report, { status: 'failed', error: message, seconds: (performance.now() - started) / 1000 });
      task.fail(error);
      failed = true;
    }
    await writeState(stateFile, state);
  }
  if (!failed) await recordPipeline(registry, spec, state, stateFile);
  // Every model this run produced or scored gets its card (re)written from the registry.
  const touched = reports.filter((report) => report.status === 'done').flatMap((report) => state[report.name]?.artifacts ?? []);
  const models = new Set<string>();
  for (const id of touched) {
    if (id.startsWith('model:')) models.add(id);
    else for (const entry of (await registry.lineage(id))?.up ?? []) if (entry.artifact.kind === 'model') models.add(entry.artifact.id);
  }
  for (const id of models) await writeModelCard(registry, id);
  return { pipeline: spec.name, status: failed ? 'failed' : 'ok', stages: reports, stateFile, services };
}

function reuse(state: PipelineState, name: string): Partial<StageReport> {
  const entry = state[name];
  return entry ? { outputs: entry.outputs, summary: entry.summary, seconds: entry.seconds } : {};
}

/** Validates kinds, names and needs; adds the needs implied by `${stages.X}` references. */
export function resolveNeeds(spec: PipelineSpec, kinds: ReadonlyMap<string, StageKind>): StageSpec[] {
  const seen = new Set<string>();
  return spec.stages.map((stage, index) => {
    const where = `stages[${index}] (${stage.name})`;
    if (seen.has(stage.name)) throw new ChainlmError('pipeline-stage', `${where}: the name "${stage.name}" is used twice`, { exitCode: 2 });
    if (!kinds.has(stage.uses)) {
      throw new ChainlmError('pipeline-stage', `${where}: unknown stage kind "${stage.uses}"`, {
        hint: `use one of ${[...kinds.keys()].join(', ')}`,
        exitCode: 2,
      });
    }
    const needs = [...new Set([...stage.needs, ...referencedStages(stage.with)])];
    for (const need of needs) {
      if (!seen.has(need)) {
        throw new ChainlmError('pipeline-stage', `${where}: needs "${need}", which is not a stage before it`, {
          hint: 'stages run in the order written; move it after the stages it reads',
          exitCode: 2,
        });
      }
    }
    seen.add(stage.name);
    return { ...stage, needs };
  });
}

function forcedStages(stages: StageSpec[], options: RunPipelineOptions): Set<string> {
  const names = stages.map((stage) => stage.name);
  for (const [flag, value] of [['--from', options.from], ['--only', options.only]] as const) {
    if (value !== undefined && !names.includes(value)) {
      throw new ChainlmError('pipeline-stage', `${flag} ${value}: no such stage`, { hint: `stages: ${names.join(', ')}`, exitCode: 2 });
    }
  }
  if (options.only !== undefined) return new Set([options.only]);
  if (options.from !== undefined) return new Set(names.slice(names.indexOf(options.from)));
  return new Set();
}

async function recordPipeline(registry: Registry, spec: PipelineSpec, state: PipelineState, stateFile: string): Promise<void> {
  const artifacts = spec.stages.flatMap((stage) => state[stage.name]?.artifacts ?? []);
  await registry.record({
    kind: 'pipeline',
    name: spec.name,
    path: stateFile,
    metadata: { stages: spec.stages.map((stage) => ({ name: stage.name, uses: stage.uses, hash: state[stage.name]?.hash })) },
    inputs: artifacts.map((id) => ({ id, relation: 'produced' })),
  });
}
