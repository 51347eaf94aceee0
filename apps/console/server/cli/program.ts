import type { Program } from '@chainlm/core';
import { consoleCommand } from './console-command.js';

export const consoleProgram: Program = {
  name: 'chainlm-console',
  summary: 'the chainlm web console',
  version: '0.1.0',
  commands: [consoleCommand],
  defaultCommand: 'console',
};
