#!/usr/bin/env node
import { main } from '@chainlm/core';
import { modelProgram } from '../cli/program.js';

// `chainlm-model inspect … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await main(modelProgram);
