#!/usr/bin/env node
import { main } from '@chainlm/core';
import { program } from '../cli/program.js';

await main(program);
