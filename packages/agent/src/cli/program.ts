import type { Program } from '@chainlm/core';
import { callCommand } from './commands/call-command.js';
import { chatCommand } from './commands/chat-command.js';
import { replayCommand } from './commands/replay-command.js';
import { runCommand } from './commands/run-command.js';
import { mcpCommand, toolServerCommand } from './commands/serve-commands.js';
import { toolsCommand } from './commands/tools-command.js';

export const agentProgram: Program = {
  name: 'chainlm-agent',
  summary: 'tools and agents (ReAct, function calling, ReWOO) for chainlm and OpenAI-compatible models',
  version: '0.1.0',
  commands: [toolsCommand, callCommand, runCommand, chatCommand, replayCommand, toolServerCommand, mcpCommand],
  epilog: 'Environment: CHAINLM_HOME (datasets for dataset_sql), CHAINLM_AGENT_API_KEY (model endpoint / tool-server key), CHAINLM_AGENT_REMOTE_KEY (--remote servers).',
};

