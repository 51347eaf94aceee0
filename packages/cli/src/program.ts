import { runProgram, type Program } from '@chainlm/core';
import { consoleCommand } from './commands/console.js';
import { doctorCommand } from './commands/doctor.js';
import { pipelineRunCommand, startCommand } from './commands/pipeline.js';
import { registryLsCommand, registryShowCommand } from './commands/registry.js';
import { packageCliHelp } from './package-clis.js';

/**
 * `chainlm`: the umbrella CLI. Two-word commands (`registry ls`) are joined into one
 * command name (`registry-ls`) before dispatch, so every command keeps the core
 * convention (--help, --json, exit codes).
 */

export const program: Program = {
  name: 'chainlm',
  summary: 'the full LLM chain: data → model → train → eval → serve → agents → console',
  version: '0.1.0',
  commands: [doctorCommand, startCommand, pipelineRunCommand, consoleCommand, registryLsCommand, registryShowCommand],
  epilog: packageCliHelp(),
};

const groups = new Set(['registry', 'pipeline']);

export function runChainlm(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first !== undefined && groups.has(first) && second !== undefined && !second.startsWith('-')) {
    return runProgram(program, [`${first}-${second}`, ...rest]);
  }
  return runProgram(program, argv);
}
