#!/usr/bin/env node
import { main } from '@chainlm/core';
import { engineProgram } from '../cli/program.js';

await main(engineProgram);
