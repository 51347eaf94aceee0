import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHome, type ChainlmHome } from '@chainlm/core';
import { jobSpecSchema, maxReplicas } from './job-spec.js';
import { parseJobSpec } from './parse-job-spec.js';
import { planJob } from './job-steps.js';

const plan = (spec: ReturnType<typeof jobSpecSchema.parse>, home: ChainlmHome, id: string, allowed: string[] = []) =>
  planJob(spec, { home, jobDir: join(home.root, 'jobs', id), jobId: id, inputRoots: [home.root, ...allowed] });

describe('planJob: serve', () => {
  const home = resolveHome({ CHAINLM_HOME: mkdtempSync(join(tmpdir(), 'chainlm-console-plan-')) });
  const models = join(home.root, 'models', 'm');

  it('passes the chosen weight quantization to chainlm-serve', async () => {
    const spec = jobSpecSchema.parse({ kind: 'serve', model: models, name: 'm', port: 45123, quant: 'w4a16' });
    const planned = await plan(spec, home, 'j1');
    expect(planned.steps).toEqual([{ cli: 'chainlm-serve', args: [models, '--port', '45123', '--host', '127.0.0.1', '--model-name', 'm', '--quant', 'w4a16'], label: 'serve' }]);
  });

  it('serves float32 weights when no quantization is chosen, and rejects an unknown scheme', async () => {
    const planned = await plan(jobSpecSchema.parse({ kind: 'serve', model: 'models/m', name: 'm', port: 45124 }), home, 'j2');
    expect(planned.steps[0].args).not.toContain('--quant');
    expect(jobSpecSchema.safeParse({ kind: 'serve', model: '/m', quant: 'w2a16' }).success).toBe(false);
  });

  it('passes replicas to chainlm-serve as --replicas N, and writes no flag for the default single replica', async () => {
    const spec = jobSpecSchema.parse({ kind: 'serve', model: models, name: 'm', port: 45125, replicas: 2 });
    const planned = await plan(spec, home, 'j3');
    expect(planned.steps[0].args).toEqual([models, '--port', '45125', '--host', '127.0.0.1', '--model-name', 'm', '--replicas', '2']);
    const single = jobSpecSchema.parse({ kind: 'serve', model: models });
    expect(single).toMatchObject({ replicas: 1 });
    expect((await plan(single, home, 'j4')).steps[0].args).not.toContain('--replicas');
  });

  it('refuses replicas outside 1..CPU cores, naming the field and the limit', () => {
    expect(() => parseJobSpec({ kind: 'serve', model: '/m', replicas: 0 })).toThrow('replicas: at least 1 replica');
    expect(() => parseJobSpec({ kind: 'serve', model: '/m', replicas: 1.5 })).toThrow('replicas: a whole number of replicas');
    expect(() => parseJobSpec({ kind: 'serve', model: '/m', replicas: maxReplicas + 1 })).toThrow(`replicas: at most ${maxReplicas} replicas (one per CPU core of this machine)`);
    expect(parseJobSpec({ kind: 'serve', model: '/m', replicas: maxReplicas })).toMatchObject({ replicas: maxReplicas });
  });
});

describe('planJob: every path a request names stays inside the home or an allowed folder', () => {
  const outer = mkdtempSync(join(tmpdir(), 'chainlm-console-confine-'));
  const home = resolveHome({ CHAINLM_HOME: join(outer, 'home') });
  const shared = join(outer, 'shared');
  mkdirSync(shared, { recursive: true });
  writeFileSync(join(outer, 'secret.txt'), 'secret');

  it.each([
    [{ kind: 'ingest', dataset: 'd', paths: ['/etc/passwd'] }, 'paths[0]'],
    [{ kind: 'ingest', dataset: 'd', paths: ['notes.txt', '../secret.txt'] }, 'paths[1]'],
    [{ kind: 'serve', model: '/' }, 'model'],
    [{ kind: 'eval', model: '/etc', datasets: ['arithmetic'] }, 'model'],
    [{ kind: 'train', preset: 'tiny', data: '/etc/passwd' }, 'data'],
    [{ kind: 'train', yaml: 'preset: tiny\ndata: { dataset: /etc/passwd }\n' }, 'yaml: data.dataset'],
    [{ kind: 'train', yaml: 'preset: tiny\noutputDir: ../../elsewhere\n' }, 'yaml: outputDir'],
    [{ kind: 'eval', yaml: 'models: [{ path: "~/.ssh" }]\n' }, 'yaml: models[0].path'],
  ])('refuses %j, naming %s', async (input, field) => {
    const jobDir = join(home.root, 'jobs', 'refused');
    await expect(planJob(jobSpecSchema.parse(input), { home, jobDir, jobId: 'refused', inputRoots: [home.root] })).rejects.toThrow(field);
    expect(existsSync(join(jobDir, 'train.yaml')) || existsSync(join(jobDir, 'eval.yaml'))).toBe(false);
  });

  it('accepts paths in the home and in a folder the operator allowed', async () => {
    const ingest = await plan(jobSpecSchema.parse({ kind: 'ingest', dataset: 'd', paths: ['notes.txt', join(shared, 'a.jsonl')] }), home, 'ok1', [shared]);
    expect(ingest.steps[0].args.slice(1, 3)).toEqual([join(home.root, 'notes.txt'), join(shared, 'a.jsonl')]);
    await expect(plan(jobSpecSchema.parse({ kind: 'ingest', dataset: 'd', paths: [join(shared, 'a.jsonl')] }), home, 'ok2')).rejects.toThrow(/outside the allowed folders/);
    const served = await plan(jobSpecSchema.parse({ kind: 'eval', model: 'http://127.0.0.1:23333/v1', datasets: ['arithmetic'] }), home, 'ok3');
    expect(served.steps[0].args).toContain('http://127.0.0.1:23333/v1');
  });
});
