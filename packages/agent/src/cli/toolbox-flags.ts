/** Flags shared by every command that builds a toolbox, and the builder itself. */
import type { OptionSpec } from '@chainlm/core';
import { RemoteToolClient } from '../remote/remote-tool-client.js';
import { createBuiltinTools } from '../tools/builtin-tools.js';
import type { Tool } from '../tools/tool.js';
import { ToolRegistry } from '../tools/registry.js';

export const toolboxFlags = {
  tools: { type: 'list', valueName: 'NAMES', description: 'builtin tools, comma-separated (default: every tool whose resources are available)' },
  docs: { type: 'string', valueName: 'FOLDER', description: 'folder for doc_search' },
  datasets: { type: 'string', valueName: 'FOLDER', description: 'datasets folder for dataset_sql (default CHAINLM_HOME/datasets)' },
  allowHosts: { type: 'list', valueName: 'HOSTS', description: 'hosts http_fetch may GET (http_fetch is off without this)' },
  remote: { type: 'list', valueName: 'URL', description: 'add every tool of a chainlm tool server' },
  remoteKey: { type: 'string', valueName: 'KEY', description: 'bearer key for --remote servers (or CHAINLM_AGENT_REMOTE_KEY)' },
} satisfies Record<string, OptionSpec>;

export interface ToolboxFlagValues {
  tools?: string[];
  docs?: string;
  datasets?: string;
  allowHosts?: string[];
  remote?: string[];
  remoteKey?: string;
}

export async function buildToolbox(flags: ToolboxFlagValues, env: NodeJS.ProcessEnv = process.env): Promise<Tool[]> {
  const remoteOnly = (flags.remote ?? []).length > 0 && (flags.tools ?? []).length === 0;
  const local = remoteOnly ? [] : createBuiltinTools(flags.tools ?? [], { docsFolder: flags.docs, datasetsFolder: flags.datasets, allowHosts: flags.allowHosts ?? [] });
  const registry = new ToolRegistry(local);
  for (const url of flags.remote ?? []) {
    for (const tool of await new RemoteToolClient(url, { apiKey: flags.remoteKey ?? env.CHAINLM_AGENT_REMOTE_KEY }).tools()) registry.register(tool);
  }
  return registry.list();
}
