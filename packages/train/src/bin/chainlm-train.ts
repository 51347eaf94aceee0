#!/usr/bin/env node
import { main } from '@chainlm/core';
import { trainProgram } from '../cli/program.js';

await main(trainProgram);
