#!/usr/bin/env node
import { main } from '@chainlm/core';
import { dataProgram } from '../cli/program.js';

await main(dataProgram);
