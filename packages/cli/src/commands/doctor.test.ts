import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const bin = join(packageRoot, 'dist/bin/chainlm.js');
const addonBuilt = existsSync(resolve(packageRoot, '../kernels/build/Release/chainlm_kernels.node'));

function doctor(env: Record<string, string>) {
  const home = mkdtempSync(join(tmpdir(), 'chainlm-home-'));
  const result = spawnSync(process.execPath, [bin, 'doctor', '--json', '--matmul-size', '64'], { encoding: 'utf8', env: { ...process.env, CHAINLM_HOME: home, ...env } });
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout);
}

describe('chainlm doctor: which kernels are live and why', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [resolve(packageRoot, '../../node_modules/typescript/bin/tsc'), '-b', packageRoot]);
  });

  it.skipIf(!addonBuilt)('native where the addon is built, with its ISA and CHAINLM_THREADS', () => {
    expect(doctor({ CHAINLM_KERNELS: '', CHAINLM_THREADS: '1' }).kernels).toMatchObject({ live: 'native', isa: expect.stringMatching(/^(avx512|avx2|portable)$/), threads: 1 });
  });

  it('CHAINLM_KERNELS=wasm turns them off, and a bad CHAINLM_THREADS is a reason, not a crash', () => {
    expect(doctor({ CHAINLM_KERNELS: 'wasm' }).kernels).toEqual({ live: 'wasm', reason: 'turned off by CHAINLM_KERNELS=wasm' });
    expect(doctor({ CHAINLM_KERNELS: '', CHAINLM_THREADS: 'many' }).kernels.reason).toMatch(/CHAINLM_THREADS="many" is not a thread count/);
  });

  it('says the native kernels are for the wasm backend when another backend is live', () => {
    expect(doctor({ CHAINLM_BACKEND: 'cpu', CHAINLM_KERNELS: '' }).kernels.reason).toMatch(/the cpu backend is live/);
  });
});
