import type { Program } from '@chainlm/core';
import { cleanCommand, dedupCommand } from './commands/clean-command.js';
import { ingestCommand } from './commands/ingest-command.js';
import { exportCommand, headCommand, lsCommand, rmCommand, sqlCommand, statsCommand } from './commands/inspect-commands.js';
import { tokenizeCommand } from './commands/tokenize-command.js';
import { workerCommand } from './queue-option.js';

export const dataProgram: Program = {
  name: 'chainlm-data',
  summary: 'ingest, clean, deduplicate, tokenize and inspect datasets (DuckDB + Arrow)',
  version: '0.1.0',
  commands: [ingestCommand, cleanCommand, dedupCommand, tokenizeCommand, statsCommand, headCommand, sqlCommand, exportCommand, lsCommand, rmCommand, workerCommand],
  epilog: 'Datasets live in $CHAINLM_HOME/datasets (default ./.chainlm).',
};
