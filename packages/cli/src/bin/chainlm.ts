#!/usr/bin/env node
import { runChainlm } from '../program.js';

process.exitCode = await runChainlm(process.argv.slice(2));
