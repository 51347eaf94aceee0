/**
 * Config files: YAML or JSON, validated once with a zod schema, then frozen.
 *
 * Errors are located: a YAML syntax error gives the file and line; a schema error
 * gives the file, the line of the offending key (found by walking the YAML AST),
 * the dotted key path, what was expected and what was found. Unknown keys are
 * rejected by the schemas themselves (`z.strictObject`).
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ChainlmError, ConfigError, type ConfigIssue } from '../errors.js';
import { applyEnvOverrides } from './env-overrides.js';

export interface LoadConfigOptions {
  /** Environment prefix for overrides, e.g. `CHAINLM_TRAIN_` (see applyEnvOverrides). */
  envPrefix?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra overrides applied after the file and the environment (e.g. CLI flags). */
  overrides?: Record<string, unknown>;
}

export function loadConfigFile<S extends z.ZodType>(file: string, schema: S, options: LoadConfigOptions = {}): Readonly<z.infer<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ChainlmError('config-unreadable', `cannot read config file ${file}: ${(error as Error).message}`, {
      hint: 'check the path',
      exitCode: 2,
    });
  }
  return parseConfigText(text, file, schema, options);
}

export function parseConfigText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  options: LoadConfigOptions = {},
): Readonly<z.infer<S>> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({
        path: '',
        line: lineCounter.linePos(error.pos[0]).line,
        message: `invalid ${file.endsWith('.json') ? 'JSON/YAML' : 'YAML'}: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  let value: unknown = document.toJS() ?? {};
  if (options.envPrefix) value = applyEnvOverrides(value, options.envPrefix, options.env ?? process.env);
  if (options.overrides) value = mergeDeep(value, options.overrides);
  return validateConfig(value, schema, file, (path) => lineOfPath(document, lineCounter, path));
}

/** Validates an in-memory value (from flags or an API call) with the same error shape. */
export function validateConfig<S extends z.ZodType>(
  value: unknown,
  schema: S,
  source = '<config>',
  locate: (path: PropertyKey[]) => number | undefined = () => undefined,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(value);
  if (result.success) return deepFreeze(result.data) as Readonly<z.infer<S>>;
  const issues: ConfigIssue[] = result.error.issues.flatMap((issue) => describeIssue(issue, value, locate));
  throw new ConfigError(source, issues);
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown, locate: (path: PropertyKey[]) => number | undefined): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return { path: path.join('.'), line: locate(path), message: `unknown key "${key}"`, found: key };
    });
  }
  const found = valueAt(root, issue.path);
  const foundText = found === undefined ? 'nothing' : describeValue(found);
  const expected = 'expected' in issue ? String(issue.expected) : undefined;
  const message =
    issue.code === 'invalid_type'
      ? `expected ${expected}, found ${foundText}`
      : `${issue.message} (found ${foundText})`;
  return [{ path: issue.path.join('.'), line: locate(issue.path), expected, found: foundText, message }];
}

function describeValue(value: unknown): string {
  const json = JSON.stringify(value);
  const shown = json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return `${kind} ${shown}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Line of the key (or sequence item) at `path`; the nearest located ancestor otherwise. */
function lineOfPath(document: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = document.contents;
  let line: number | undefined = node && (node as Node).range ? lineCounter.linePos((node as Node).range![0]).line : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return line;
      const keyNode = pair.key as Node;
      if (keyNode.range) line = lineCounter.linePos(keyNode.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return line;
      if (item.range) line = lineCounter.linePos(item.range[0]).line;
      node = item;
    } else {
      return line;
    }
  }
  return line;
}

export function mergeDeep(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = mergeDeep(out[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}
