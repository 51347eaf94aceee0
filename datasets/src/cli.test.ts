/** The `chainlm-datasets demo` CLI as a user runs it (from dist/; `npm test` builds first). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/bin/chainlm-datasets.js', import.meta.url));
const run = (args: string[]) => promisify(execFile)(process.execPath, [cli, ...args]);

describe('chainlm-datasets demo', () => {
  it('writes worked arithmetic with --arithmetic-format steps and bounded operands', async () => {
    const out = mkdtempSync(join(tmpdir(), 'chainlm-datasets-cli-'));
    await run(['demo', '--out', out, '--stories', '10', '--arithmetic', '60', '--tool-use', '0', '--story-qa', '0', '--max-operand', '20', '--arithmetic-format', 'steps']);
    const rows = readFileSync(join(out, 'instructions.train.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { messages: { content: string }[] });
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      const [question, reply] = row.messages.map((message) => message.content);
      const [, a, op, b] = /^What is (\d+) ([+-]) (\d+)\?$/.exec(question)!;
      expect(Math.max(Number(a), Number(b))).toBeLessThanOrEqual(20);
      const sum = op === '+' ? Number(a) + Number(b) : Number(a) - Number(b);
      expect(reply.endsWith(`, so ${a} ${op} ${b} = ${sum}.`)).toBe(true);
    }
  });

  it('refuses an unknown format with exit code 2, naming the flag', async () => {
    const error = await run(['demo', '--out', tmpdir(), '--arithmetic-format', 'words']).then(() => undefined, (failure: { code: number; stderr: string }) => failure);
    expect(error?.code).toBe(2);
    expect(error?.stderr).toContain('--arithmetic-format "words"');
  });
});
