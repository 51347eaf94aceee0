/**
 * The builtin toolbox by name, configured through one strict schema shared by the
 * CLI flags and the API. Tools that need a resource (a docs folder, an allow-list,
 * a safe sandbox for Python) are only part of the default set when the resource is
 * there; asking for one by name without it is a usage error that says what to add.
 */
import { resolveHome, validateConfig } from '@chainlm/core';
import { installHint } from '@chainlm/sandbox';
import { z } from 'zod';
import { AgentError } from '../errors.js';
import { createCalculatorTool } from './calculator.js';
import { createDatasetSqlTool } from './dataset-sql.js';
import { createDateTimeTool } from './date-time.js';
import { createDocSearchTool } from './doc-search.js';
import { createHttpFetchTool } from './http-fetch.js';
import { createJsInterpreterTool } from './js-interpreter.js';
import { createPythonInterpreterTool, pythonToolUnavailableReason } from './python-interpreter.js';
import type { Tool } from './tool.js';
import { createUnitConvertTool } from './unit-convert.js';

export const builtinToolNames = ['calculator', 'unit_convert', 'date_time', 'javascript', 'python', 'doc_search', 'http_fetch', 'dataset_sql'] as const;
export type BuiltinToolName = (typeof builtinToolNames)[number];

const aliases: Record<string, BuiltinToolName> = { js: 'javascript', units: 'unit_convert', datetime: 'date_time', docs: 'doc_search', fetch: 'http_fetch', sql: 'dataset_sql' };

const sandboxSchema = z.strictObject({
  timeLimitMs: z.number().int().positive().optional(),
  memoryLimitBytes: z.number().int().positive().optional(),
});

export const toolboxConfigSchema = z.strictObject({
  docsFolder: z.string().optional(),
  datasetsFolder: z.string().optional(),
  allowHosts: z.array(z.string()).default([]),
  javascript: sandboxSchema.default({}),
  /** unsafeHostPython: run Python on the host without a jail (warns every call). */
  python: sandboxSchema.extend({ unsafeHostPython: z.boolean().optional() }).default({}),
});
export type ToolboxConfig = z.input<typeof toolboxConfigSchema>;

export function resolveToolName(name: string): BuiltinToolName {
  const resolved = (aliases[name] ?? name) as BuiltinToolName;
  if (!builtinToolNames.includes(resolved)) {
    throw new AgentError('tool-unknown', `unknown tool "${name}"`, `builtin tools: ${builtinToolNames.join(', ')}`, 2);
  }
  return resolved;
}

/** The tools named (or the default set when `names` is empty), configured from `config`. */
export function createBuiltinTools(names: string[] = [], config: ToolboxConfig = {}): Tool[] {
  const settings = validateConfig(config, toolboxConfigSchema, 'toolbox config');
  const explicit = names.length > 0;
  const wanted = explicit ? [...new Set(names.map(resolveToolName))] : defaultToolNames(settings);
  return wanted.map((name) => createOne(name, settings, explicit));
}

function defaultToolNames(settings: z.output<typeof toolboxConfigSchema>): BuiltinToolName[] {
  return builtinToolNames.filter((name) => {
    if (name === 'python') return pythonToolUnavailableReason(settings.python) === null;
    if (name === 'doc_search') return settings.docsFolder !== undefined;
    if (name === 'http_fetch') return settings.allowHosts.length > 0;
    return true;
  });
}

function createOne(name: BuiltinToolName, settings: z.output<typeof toolboxConfigSchema>, explicit: boolean): Tool {
  switch (name) {
    case 'calculator':
      return createCalculatorTool();
    case 'unit_convert':
      return createUnitConvertTool();
    case 'date_time':
      return createDateTimeTool();
    case 'javascript':
      return createJsInterpreterTool(settings.javascript);
    case 'python': {
      const unavailable = explicit ? pythonToolUnavailableReason(settings.python) : null;
      if (unavailable !== null) throw new AgentError('tool-unavailable', `tool "python" is off: ${unavailable}`, `${installHint}, or drop python from --tools`, 2);
      return createPythonInterpreterTool(settings.python);
    }
    case 'doc_search':
      if (settings.docsFolder === undefined) throw new AgentError('tool-unavailable', 'tool "doc_search" needs a folder to search (--docs FOLDER)', 'add --docs FOLDER', 2);
      return createDocSearchTool({ folder: settings.docsFolder });
    case 'http_fetch':
      if (settings.allowHosts.length === 0) throw new AgentError('tool-unavailable', 'tool "http_fetch" is off until hosts are allowed with --allow-hosts', 'add --allow-hosts example.com,api.example.org', 2);
      return createHttpFetchTool({ allowHosts: settings.allowHosts });
    case 'dataset_sql':
      return createDatasetSqlTool({ datasetsFolder: settings.datasetsFolder ?? resolveHome().path('datasets') });
  }
}
