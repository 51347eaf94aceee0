import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHome } from '@chainlm/core';
import { jobSpecSchema, maxReplicas } from './job-spec.js';
import { parseJobSpec } from './parse-job-spec.js';
import { planJob } from './job-steps.js';

describe('planJob: serve', () => {
  const home = resolveHome({ CHAINLM_HOME: mkdtempSync(join(tmpdir(), 'chainlm-console-plan-')) });

  it('passes the chosen weight quantization to chainlm-serve', async () => {
    const spec = jobSpecSchema.parse({ kind: 'serve', model: '/models/m', name: 'm', port: 45123, quant: 'w4a16' });
    const planned = await planJob(spec, home, join(home.root, 'jobs', 'j1'), 'j1');
    expect(planned.steps).toEqual([{ cli: 'chainlm-serve', args: ['/models/m', '--port', '45123', '--host', '127.0.0.1', '--model-name', 'm', '--quant', 'w4a16'], label: 'serve' }]);
  });

  it('serves float32 weights when no quantization is chosen, and rejects an unknown scheme', async () => {
    const planned = await planJob(jobSpecSchema.parse({ kind: 'serve', model: '/models/m', name: 'm', port: 45124 }), home, join(home.root, 'jobs', 'j2'), 'j2');
    expect(planned.steps[0].args).not.toContain('--quant');
    expect(jobSpecSchema.safeParse({ kind: 'serve', model: '/m', quant: 'w2a16' }).success).toBe(false);
  });

  it('passes replicas to chainlm-serve as --replicas N, and writes no flag for the default single replica', async () => {
    const spec = jobSpecSchema.parse({ kind: 'serve', model: '/models/m', name: 'm', port: 45125, replicas: 2 });
    const planned = await planJob(spec, home, join(home.root, 'jobs', 'j3'), 'j3');
    expect(planned.steps[0].args).toEqual(['/models/m', '--port', '45125', '--host', '127.0.0.1', '--model-name', 'm', '--replicas', '2']);
    const single = jobSpecSchema.parse({ kind: 'serve', model: '/models/m' });
    expect(single).toMatchObject({ replicas: 1 });
    expect((await planJob(single, home, join(home.root, 'jobs', 'j4'), 'j4')).steps[0].args).not.toContain('--replicas');
  });

  it('refuses replicas outside 1..CPU cores, naming the field and the limit', () => {
    expect(() => parseJobSpec({ kind: 'serve', model: '/m', replicas: 0 })).toThrow('replicas: at least 1 replica');
    expect(() => parseJobSpec({ kind: 'serve', model: '/m', replicas: 1.5 })).toThrow('replicas: a whole number of replicas');
    expect(() => parseJobSpec({ kind: 'serve', model: '/m', replicas: maxReplicas + 1 })).toThrow(`replicas: at most ${maxReplicas} replicas (one per CPU core of this machine)`);
    expect(parseJobSpec({ kind: 'serve', model: '/m', replicas: maxReplicas })).toMatchObject({ replicas: maxReplicas });
  });
});
