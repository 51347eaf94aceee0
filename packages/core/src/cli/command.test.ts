import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ChainlmError } from '../errors.js';
import { defineCommand, runProgram, type Program } from './command.js';

function sink(): { stream: Writable; text: () => string } {
  let buffer = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      buffer += String(chunk);
      callback();
    },
  });
  return { stream, text: () => buffer };
}

const add = defineCommand({
  name: 'add',
  summary: 'add numbers',
  positionals: [{ name: 'numbers', description: 'numbers to add', required: true, variadic: true }],
  options: { scale: { type: 'number', description: 'multiply the sum', default: 1 }, label: { type: 'string', description: 'a label' } },
  async run({ options, positionals }) {
    if (positionals.includes('fail')) throw new ChainlmError('add-failed', 'cannot add "fail"', { hint: 'give numbers' });
    return { sum: positionals.reduce((total, value) => total + Number(value), 0) * options.scale, label: options.label ?? null };
  },
  render(result, print) {
    print(`sum = ${(result as { sum: number }).sum}`);
  },
});
const program: Program = { name: 'calc', summary: 'test program', commands: [add] };

async function run(argv: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runProgram(program, argv, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('runProgram', () => {
  it('runs a command and renders its result', async () => {
    expect(await run(['add', '1', '2', '--scale', '3'])).toMatchObject({ code: 0, stdout: 'sum = 9\n' });
  });

  it('prints exactly one JSON object with --json', async () => {
    const result = await run(['add', '1', '2', '--json', '--label', 'x']);
    expect(JSON.parse(result.stdout)).toEqual({ sum: 3, label: 'x' });
  });

  it('prints help for the program and each command', async () => {
    expect((await run(['--help'])).stdout).toMatch(/Commands:\n {2}add/);
    const help = await run(['add', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--scale NUMBER\s+multiply the sum \(default: 1\)/);
  });

  it('exits 2 with a hint on bad usage', async () => {
    const unknownFlag = await run(['add', '1', '--nope']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/^error: add: Unknown option '--nope'\nhint: run the command with --help/);
    expect((await run(['add', '1', '--scale', 'abc'])).stderr).toMatch(/--scale expects a number, got "abc"/);
    expect((await run(['add'])).stderr).toMatch(/missing argument NUMBERS/);
    expect((await run(['nope'])).code).toBe(2);
  });

  it('exits 1 with the error and hint when the command fails', async () => {
    const failed = await run(['add', 'fail']);
    expect(failed).toMatchObject({ code: 1, stdout: '', stderr: 'error: cannot add "fail"\nhint: give numbers\n' });
  });
});
