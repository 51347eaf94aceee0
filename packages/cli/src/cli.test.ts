import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '@chainlm/core';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const bin = join(packageRoot, 'dist/bin/chainlm.js');

function chainlm(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('chainlm CLI', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [resolve(packageRoot, '../../node_modules/typescript/bin/tsc'), '-b', packageRoot]);
  });

  it('doctor --json reports the live backend, a matmul probe and DuckDB', () => {
    const home = mkdtempSync(join(tmpdir(), 'chainlm-home-'));
    const result = chainlm(['doctor', '--json', '--matmul-size', '128'], { CHAINLM_HOME: home });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.backend.backend).toBe(process.env.CHAINLM_BACKEND ?? 'wasm');
    expect(report.matmul.gflops).toBeGreaterThan(0);
    expect(report.duckdb).toMatch(/^v\d+\.\d+/);
    expect(report.home).toBe(home);
    expect(report.clis.map((cli: { name: string }) => cli.name)).toContain('chainlm-serve');
  });

  it('doctor honours CHAINLM_BACKEND and rejects an unknown one with exit 2', () => {
    expect(JSON.parse(chainlm(['doctor', '--json', '--matmul-size', '64'], { CHAINLM_BACKEND: 'cpu' }).stdout).backend.backend).toBe('cpu');
    const bad = chainlm(['doctor'], { CHAINLM_BACKEND: 'tpu' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CHAINLM_BACKEND="tpu" is not a backend\nhint: use one of tensorflow-gpu, tensorflow, wasm, cpu/);
  });

  it('registry ls and show read what packages recorded', async () => {
    const home = mkdtempSync(join(tmpdir(), 'chainlm-home-'));
    const registry = new Registry({ file: join(home, 'registry', 'registry.duckdb') });
    await registry.record({ kind: 'dataset', name: 'd' });
    await registry.record({ kind: 'checkpoint', name: 'c', inputs: [{ id: 'dataset:d', relation: 'trained-on' }] });
    const listed = JSON.parse(chainlm(['registry', 'ls', '--json', '--kind', 'checkpoint'], { CHAINLM_HOME: home }).stdout);
    expect(listed.artifacts.map((artifact: { id: string }) => artifact.id)).toEqual(['checkpoint:c']);
    const shown = chainlm(['registry', 'show', 'dataset:d'], { CHAINLM_HOME: home });
    expect(shown.stdout).toMatch(/down:\n\s+↓ checkpoint:c/);
    const missing = chainlm(['registry', 'show', 'nope'], { CHAINLM_HOME: home });
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/no artifact "nope"/);
  });

  it('pipeline run prints the JSON report, skips on re-run, and exits 1 when a stage fails', () => {
    const home = mkdtempSync(join(tmpdir(), 'chainlm-home-'));
    const file = join(home, 'p.yaml');
    writeFileSync(
      file,
      `name: cli-test\nstages:\n  - name: data\n    uses: demo-data\n    with: { stories: 20, arithmetic: 10, toolUse: 2, storyQa: 2 }\n  - name: ingest\n    uses: ingest\n    with: { dataset: s, files: ["\${stages.data.stories}"] }\n`,
    );
    const first = chainlm(['pipeline', 'run', file, '--json'], { CHAINLM_HOME: home });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).stages.map((stage: { status: string }) => stage.status)).toEqual(['done', 'done']);
    const second = JSON.parse(chainlm(['pipeline', 'run', file, '--json'], { CHAINLM_HOME: home }).stdout);
    expect(second.stages.map((stage: { status: string }) => stage.status)).toEqual(['skipped', 'skipped']);
    writeFileSync(file, `name: cli-test\nstages:\n  - name: ingest\n    uses: ingest\n    with: { dataset: s, files: [/no/such/file.jsonl] }\n`);
    const failed = chainlm(['pipeline', 'run', file, '--json'], { CHAINLM_HOME: home });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).stages[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/no\/such\/file/) });
    const bad = chainlm(['pipeline', 'run', join(home, 'missing.yaml')], { CHAINLM_HOME: home });
    expect(bad.code).toBe(2);
  });

  it('--help lists the per-package CLIs', () => {
    const help = chainlm(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['chainlm-data', 'chainlm-model', 'chainlm-train', 'chainlm-eval', 'chainlm-serve', 'chainlm-agent']) expect(help.stdout).toContain(name);
  });
});
