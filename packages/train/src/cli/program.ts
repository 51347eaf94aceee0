import type { Program } from '@chainlm/core';
import { exportCommand, lsCommand, mergeCommand, showCommand } from './inspect-commands.js';
import { resumeCommand, runCommand } from './run-command.js';

export const trainProgram: Program = {
  name: 'chainlm-train',
  summary: 'pretraining, full SFT and LoRA/QLoRA with exact resume',
  version: '0.1.0',
  commands: [runCommand, resumeCommand, lsCommand, showCommand, exportCommand, mergeCommand],
  epilog: 'Runs live in CHAINLM_HOME/runs/<run>/ (metrics.jsonl), checkpoints in CHAINLM_HOME/checkpoints/<run>/.',
};
