import type { Program } from '@chainlm/core';
import { inspectCommand } from './commands/inspect.js';
import { importLlama2cCommand } from './commands/import-llama2c.js';
import { convertCommand } from './commands/convert.js';
import { exportGgufCommand } from './commands/export-gguf.js';
import { generateCommand } from './commands/generate.js';
import { tokenizeCommand } from './commands/tokenize.js';

export const modelProgram: Program = {
  name: 'chainlm-model',
  summary: 'inspect, import llama2.c, convert, generate, GGUF export, tokenize',
  version: '0.1.0',
  commands: [inspectCommand, importLlama2cCommand, convertCommand, generateCommand, exportGgufCommand, tokenizeCommand],
};
