#!/usr/bin/env node
import { main } from '@chainlm/core';
import { evalProgram } from '../cli/program.js';

await main(evalProgram);
