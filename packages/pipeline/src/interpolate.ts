import { ChainlmError } from '@chainlm/core';

/**
 * `${stages.NAME.KEY}` and `${vars.KEY}` references inside stage parameters. A string
 * that is exactly one reference takes the referenced value as it is (a number stays a
 * number, a list a list); a reference inside longer text is stringified.
 */
const reference = /\$\{([a-zA-Z0-9_.-]+)\}/g;

export interface Scope {
  vars: Record<string, unknown>;
  stages: Record<string, Record<string, unknown> | undefined>;
}

export function interpolate(value: unknown, scope: Scope, where: string): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([a-zA-Z0-9_.-]+)\}$/.exec(value);
    if (whole) return lookup(whole[1], scope, where);
    return value.replace(reference, (_, path: string) => String(lookup(path, scope, where)));
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, scope, `${where}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, scope, `${where}.${key}`)]));
  }
  return value;
}

/** Stage names a value refers to through `${stages.NAME...}`. */
export function referencedStages(value: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (item: unknown) => {
    if (typeof item === 'string') for (const match of item.matchAll(reference)) {
      const [root, name] = match[1].split('.');
      if (root === 'stages' && name) names.add(name);
    }
    else if (Array.isArray(item)) item.forEach(visit);
    else if (item !== null && typeof item === 'object') Object.values(item).forEach(visit);
  };
  visit(value);
  return names;
}

function lookup(path: string, scope: Scope, where: string): unknown {
  const [root, ...rest] = path.split('.');
  let current: unknown = root === 'vars' ? scope.vars : root === 'stages' ? scope.stages : undefined;
  if (current === undefined) {
    throw new ChainlmError('pipeline-reference', `${where}: \${${path}} must start with vars. or stages.`, { exitCode: 2 });
  }
  for (const segment of rest) {
    if (current === null || typeof current !== 'object' || !(segment in current)) {
      throw new ChainlmError('pipeline-reference', `${where}: \${${path}} does not resolve (no "${segment}")`, {
        hint: root === 'stages' ? 'a stage can only refer to outputs of stages before it' : 'define it under vars:',
        exitCode: 2,
      });
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
