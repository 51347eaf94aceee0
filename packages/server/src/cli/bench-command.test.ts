/**
 * `chainlm-serve bench` as users run it: the built CLI in a child process, with tiny
 * shapes so each run takes a second or two. Needs `dist/` (npm test builds first).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runProgram } from '@chainlm/core';
import { program } from './program.js';

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/bin/chainlm-serve.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('chainlm-serve bench', () => {
  it('static --json prints one object with a row per shape, weights and batch size', async () => {
    const { code, stdout, stderr } = await run(['bench', 'static', '--json', '--batch-sizes', '1,2', '--s15-batch-sizes', '0', '--input-length', '8', '--output-length', '4', '--variants', 'fp32,w8a16']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.kind).toBe('static');
    expect(report.rows.map((row: { variant: string; batch: number }) => `${row.variant}/${row.batch}`)).toEqual(['fp32/1', 'fp32/2', 'w8a16/1', 'w8a16/2']);
    for (const row of report.rows) {
      expect(row).toMatchObject({ shape: 'tiny', inputLength: 8, outputLength: 4 });
      expect(row.outputTokensPerSecond).toBeGreaterThan(0);
    }
    expect(report.rows[0].ratio).toBe(1);
    // W8A16 stores its linear weights in a quarter of the bytes.
    expect(report.rows[2].weightMiB).toBeLessThan(report.rows[0].weightMiB);
  }, 60_000);

  it('dynamic --json has the continuous and static results and their request-throughput ratio', async () => {
    const { code, stdout, stderr } = await run(['bench', 'dynamic', '--json', '--requests', '6', '--rate', '200', '--max-seqs', '2', '--max-input', '16', '--max-output', '8', '--arrival', 'all-at-once']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ kind: 'dynamic', arrival: 'all-at-once', shape: 'tiny' });
    expect(report.continuous).toMatchObject({ policy: 'continuous', requests: 6 });
    expect(report.static).toMatchObject({ policy: 'static', requests: 6 });
    expect(report.ratio).toBeCloseTo(report.continuous.requestsPerSecond / report.static.requestsPerSecond, 1);
  }, 60_000);

  it('prints the markdown table without --json', async () => {
    const { code, stdout } = await run(['bench', 'static', '--batch-sizes', '1', '--s15-batch-sizes', '0', '--input-length', '4', '--output-length', '2', '--variants', 'fp32']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\| tiny \| fp32 \| [\d.]+ \| 1 \| 4\/2 \|/);
  }, 60_000);

  it.each([
    [['bench', 'kv'], /unknown kind "kv"/],
    [['bench', 'static', '--variants', 'fp16'], /--variants: unknown "fp16"/],
    [['bench', 'static', '--batch-sizes', '1,x'], /--batch-sizes: "x" is not a positive integer/],
    [['bench', 'dynamic', '--arrival', 'burst'], /--arrival: unknown "burst"/],
    [['bench', 'dynamic', '--rate', '0'], /--rate must be > 0/],
    [['bench', 'dynamic', '--requests', '0'], /--requests must be a positive integer/],
  ])('refuses %j with exit code 2', async (args, message) => {
    // In-process: the guards run before any model work.
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk) => (text += chunk));
    expect(await runProgram(program, args, { stdout: new PassThrough(), stderr })).toBe(2);
    expect(text).toMatch(message);
  });
});
