#!/usr/bin/env node
import { main } from '@chainlm/core';
import { agentProgram } from '../cli/program.js';

await main(agentProgram);
