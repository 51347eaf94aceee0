import type { Program } from '@chainlm/core';
import { compareCommand, listCommand, runCommand, showCommand } from './commands.js';
import { queueStatusCommand, workerCommand } from './queue-commands.js';

export const evalProgram: Program = {
  name: 'chainlm-eval',
  summary: 'evaluate models (local or OpenAI-compatible) on benchmark datasets, OpenCompass-style',
  version: '0.1.0',
  commands: [runCommand, listCommand, showCommand, compareCommand, workerCommand, queueStatusCommand],
};
