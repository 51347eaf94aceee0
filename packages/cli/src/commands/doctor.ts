import { execFileSync } from 'node:child_process';
import { defineCommand, resolveHome } from '@chainlm/core';
import { initBackend, memoryReport, probeMatmul, type BackendReport, type KernelsStatus } from '@chainlm/runtime';
import { DuckDBInstance } from '@duckdb/node-api';
import { packageClis } from '../package-clis.js';

export interface DoctorReport {
  node: string;
  npm: string | null;
  platform: string;
  cpus: number;
  backend: BackendReport;
  /** Where matmuls run: `{ live: 'native', isa, threads }` or `{ live: 'wasm', reason }`. */
  kernels: KernelsStatus;
  matmul: { size: number; gflops: number; msPerMatmul: number };
  duckdb: string;
  home: string;
  memory: { rssMiB: number; tensorMiB: number };
  clis: { name: string; package: string; installed: boolean }[];
}

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: 'check the machine: Node, backend (and why a GPU is or is not used), native kernels (or why not), matmul speed, DuckDB, CHAINLM_HOME',
  options: { matmulSize: { type: 'number', description: 'size n of the n×n matmul probe', default: 512 } },
  async run({ options }): Promise<DoctorReport> {
    const backend = await initBackend();
    const matmul = await probeMatmul(options.matmulSize, 5);
    const memory = memoryReport();
    return {
      node: process.version,
      npm: npmVersion(),
      platform: `${process.platform}-${process.arch}`,
      cpus: (await import('node:os')).availableParallelism(),
      backend,
      kernels: backend.kernels,
      matmul,
      duckdb: await duckdbVersion(),
      home: resolveHome().root,
      memory: { rssMiB: Math.round(memory.rssBytes / 2 ** 20), tensorMiB: Math.round(memory.tensorBytes / 2 ** 20) },
      clis: packageClis(),
    };
  },
  render(result, print) {
    const report = result as DoctorReport;
    print('chainlm doctor');
    print(`  node         ${report.node} (npm ${report.npm ?? 'not found'}), ${report.platform}, ${report.cpus} cores`);
    print(`  backend      ${report.backend.backend}${report.backend.forced ? ' (forced by CHAINLM_BACKEND)' : ''}`);
    for (const attempt of report.backend.attempts) print(`    ${attempt.status === 'live' ? '✔' : '·'} ${attempt.backend.padEnd(15)}${attempt.status}: ${attempt.reason}`);
    print(`  gpu          ${report.backend.gpu.usable ? 'usable' : `not used — ${report.backend.gpu.reason}`}`);
    const kernels = report.kernels;
    print(`  kernels      ${kernels.live === 'native' ? `native ${kernels.isa}, ${kernels.threads} thread${kernels.threads === 1 ? '' : 's'} (CHAINLM_KERNELS=wasm turns them off, CHAINLM_THREADS sets threads)` : `wasm — ${kernels.reason}`}`);
    print(`  matmul       ${report.matmul.gflops.toFixed(1)} GFLOP/s (${report.matmul.size}² fp32, ${report.matmul.msPerMatmul.toFixed(2)} ms)`);
    print(`  duckdb       ${report.duckdb}`);
    print(`  home         ${report.home}`);
    print(`  memory       rss ${report.memory.rssMiB} MiB, tensors ${report.memory.tensorMiB} MiB`);
    print(`  clis         ${report.clis.map((cli) => `${cli.name}${cli.installed ? '' : ' (not built yet)'}`).join(', ')}`);
  },
});

function npmVersion(): string | null {
  try {
    return execFileSync('npm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function duckdbVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll('SELECT version() AS version');
    connection.closeSync();
    return String(reader.getRowObjectsJson()[0].version);
  } finally {
    instance.closeSync();
  }
}
