#!/usr/bin/env node
import { runProgram } from '@chainlm/core';
import { consoleProgram } from '../cli/program.js';

// One command: flags go straight to it (`chainlm-console --port 8080`).
const argv = process.argv.slice(2);
process.exitCode = await runProgram(consoleProgram, argv[0] === 'console' ? argv : ['console', ...argv]);
