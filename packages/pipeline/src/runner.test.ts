import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry, parseConfigText, resolveHome, sha256 } from '@chainlm/core';
import { runPipeline } from './runner.js';
import { pipelineSchema } from './schema.js';
import type { StageKind } from './stage-kind.js';

/** Two small real stage kinds over files: the runner is what is under test. */
function makeKinds(calls: string[]): Map<string, StageKind> {
  const count: StageKind = {
    name: 'count-words',
    description: 'counts words of a text file',
    version: 1,
    code: [],
    async fingerprint(params) {
      return sha256(readFileSync(String(params.file)));
    },
    async run(params, context) {
      calls.push(context.stage);
      const words = readFileSync(String(params.file), 'utf8').split(/\s+/).filter(Boolean).length;
      const out = join(context.dir, 'count.json');
      writeFileSync(out, JSON.stringify({ words }));
      const artifact = await context.registry.record({ kind: 'dataset', name: `${context.stage}-count`, path: out });
      return { outputs: { words, file: out }, artifacts: [artifact.id], summary: { words } };
    },
    stillValid: (outputs) => existsSync(String(outputs.file)),
  };
  const double: StageKind = {
    name: 'double',
    description: 'doubles a number, fails on request',
    version: 1,
    code: [],
    async run(params, context) {
      calls.push(context.stage);
      if (params.fail === true) throw new Error('asked to fail');
      const artifact = await context.registry.record({
        kind: 'model',
        name: context.stage,
        inputs: context.upstreamArtifacts.map((id) => ({ id, relation: 'made-from' })),
      });
      return { outputs: { value: Number(params.value) * 2 }, artifacts: [artifact.id] };
    },
  };
  return new Map([
    ['count-words', count],
    ['double', double],
  ]);
}

function setup(failDouble = false) {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-pipe-'));
  const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
  const registry = new Registry({ file: home.registryFile });
  const text = join(root, 'words.txt');
  writeFileSync(text, 'one two three');
  const yaml = `name: test
vars:
  text: ${text}
stages:
  - name: count
    uses: count-words
    with: { file: "\${vars.text}" }
  - name: twice
    uses: double
    with: { value: "\${stages.count.words}", fail: ${failDouble} }
  - name: four
    uses: double
    with: { value: "\${stages.twice.value}" }
`;
  return { home, registry, text, spec: parseConfigText(yaml, 'test.yaml', pipelineSchema) };
}

describe('runPipeline', () => {
  it('runs stages in order, passes outputs by reference and records lineage', async () => {
    const { home, registry, spec } = setup();
    const calls: string[] = [];
    const report = await runPipeline(spec, { kinds: makeKinds(calls), home, registry });
    expect(report.status).toBe('ok');
    expect(report.stages.map((stage) => [stage.name, stage.status, stage.outputs.value ?? stage.outputs.words])).toEqual([
      ['count', 'done', 3],
      ['twice', 'done', 6],
      ['four', 'done', 12],
    ]);
    const lineage = await registry.lineage('model:four');
    expect(lineage!.up.map((entry) => entry.artifact.id)).toEqual(['model:twice', 'dataset:count-count']);
    expect(await registry.get('pipeline:test')).toBeDefined();
  });

  it('skips every unchanged stage on a re-run and re-runs from a changed input', async () => {
    const { home, registry, spec, text } = setup();
    const calls: string[] = [];
    const kinds = makeKinds(calls);
    await runPipeline(spec, { kinds, home, registry });
    calls.length = 0;
    const again = await runPipeline(spec, { kinds, home, registry });
    expect(again.stages.map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(again.stages[2].outputs.value).toBe(12);
    expect(calls).toEqual([]);

    writeFileSync(text, 'one two three four');
    const changed = await runPipeline(spec, { kinds, home, registry });
    expect(calls).toEqual(['count', 'twice', 'four']);
    expect(changed.stages[2].outputs.value).toBe(16);
  });

  it('re-runs a stage whose outputs were deleted', async () => {
    const { home, registry, spec } = setup();
    const calls: string[] = [];
    const first = await runPipeline(spec, { kinds: makeKinds(calls), home, registry });
    (await import('node:fs')).rmSync(String(first.stages[0].outputs.file));
    calls.length = 0;
    await runPipeline(spec, { kinds: makeKinds(calls), home, registry });
    expect(calls).toEqual(['count']);
  });

  it('honours --from and --only', async () => {
    const { home, registry, spec } = setup();
    const calls: string[] = [];
    const kinds = makeKinds(calls);
    await runPipeline(spec, { kinds, home, registry });
    calls.length = 0;
    await runPipeline(spec, { kinds, home, registry, from: 'twice' });
    expect(calls).toEqual(['twice', 'four']);
    calls.length = 0;
    const only = await runPipeline(spec, { kinds, home, registry, only: 'count' });
    expect(calls).toEqual(['count']);
    expect(only.stages.map((stage) => stage.status)).toEqual(['done', 'skipped', 'skipped']);
    await expect(runPipeline(spec, { kinds, home, registry, only: 'nope' })).rejects.toThrow(/--only nope: no such stage/);
  });

  it('stops at a failed stage and keeps the finished ones usable', async () => {
    const { home, registry, spec } = setup(true);
    const calls: string[] = [];
    const kinds = makeKinds(calls);
    const report = await runPipeline(spec, { kinds, home, registry });
    expect(report.status).toBe('failed');
    expect(report.stages.map((stage) => stage.status)).toEqual(['done', 'failed', 'not-run']);
    expect(report.stages[1].error).toBe('asked to fail');
    const fixed = JSON.parse(JSON.stringify(spec));
    fixed.stages[1].with.fail = false;
    calls.length = 0;
    const rerun = await runPipeline(fixed, { kinds, home, registry });
    expect(rerun.status).toBe('ok');
    expect(calls).toEqual(['twice', 'four']);
  });

  it('always runs an alwaysRun kind, and skips kinds named in skipKinds', async () => {
    const { home, registry, spec } = setup();
    const calls: string[] = [];
    const kinds = makeKinds(calls);
    kinds.set('double', { ...kinds.get('double')!, alwaysRun: true });
    await runPipeline(spec, { kinds, home, registry });
    calls.length = 0;
    const again = await runPipeline(spec, { kinds, home, registry });
    expect(calls).toEqual(['twice', 'four']);
    expect(again.stages.map((stage) => stage.status)).toEqual(['skipped', 'done', 'done']);
    calls.length = 0;
    const skipped = await runPipeline(spec, { kinds, home, registry, skipKinds: ['double'] });
    expect(calls).toEqual([]);
    expect(skipped.stages.map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('rejects unknown kinds and references to later stages', async () => {
    const { home, registry } = setup();
    const kinds = makeKinds([]);
    const bad = (yaml: string) => parseConfigText(yaml, 'bad.yaml', pipelineSchema);
    await expect(runPipeline(bad('name: x\nstages:\n  - { name: a, uses: nope }\n'), { kinds, home, registry })).rejects.toThrow(
      /stages\[0\] \(a\): unknown stage kind "nope"/,
    );
    await expect(
      runPipeline(bad('name: x\nstages:\n  - { name: a, uses: double, with: { value: "${stages.b.value}" } }\n  - { name: b, uses: double, with: { value: 1 } }\n'), {
        kinds,
        home,
        registry,
      }),
    ).rejects.toThrow(/needs "b", which is not a stage before it/);
  });
});
