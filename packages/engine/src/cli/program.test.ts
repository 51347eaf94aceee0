import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runProgram } from '@chainlm/core';
import { engineProgram } from './program.js';

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

async function run(argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runProgram(engineProgram, argv, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('chainlm-engine CLI', () => {
  it('plan prints the memory plan of a preset, also as JSON', async () => {
    const text = await run(['plan', 's15', '--cache-gib', '0.5', '--quiet']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/KV per token +13824 bytes/);
    const json = await run(['plan', 's15', '--cache-gib', '0.5', '--max-seqs', '1000', '--json', '--quiet']);
    expect(JSON.parse(json.stdout)).toMatchObject({ kvBytesPerToken: 13824, numBlocks: Math.floor(0.5 * 1024 ** 3 / (13824 * 16)), maxContextPerRequest: 512 });
  });

  it('bench rejects an unknown kind or variant with exit code 2', async () => {
    const kind = await run(['bench', 'nope', '--quiet']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/unknown kind "nope"/);
    const variant = await run(['bench', 'static', '--variants', 'fp8', '--quiet']);
    expect(variant.code).toBe(2);
    expect(variant.stderr).toMatch(/--variants: unknown "fp8"/);
  });
});
