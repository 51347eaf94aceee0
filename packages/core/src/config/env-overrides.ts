import { parse as parseYaml } from 'yaml';
import { mergeDeep } from './load-config.js';

/**
 * Environment overrides: `PREFIX` + key path, with `__` between levels and each
 * level in SCREAMING_SNAKE case. With prefix `CHAINLM_TRAIN_`,
 * `CHAINLM_TRAIN_OPTIMIZER__LR=3e-4` sets `optimizer.lr` to the number 3e-4 and
 * `CHAINLM_TRAIN_MAX_STEPS=10` sets `maxSteps`. Values are parsed as YAML scalars.
 */
export function applyEnvOverrides(value: unknown, prefix: string, env: NodeJS.ProcessEnv): unknown {
  let result = value;
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(prefix) || raw === undefined || name.length === prefix.length) continue;
    const path = name.slice(prefix.length).split('__').map(snakeToCamel);
    let patch: unknown = parseScalar(raw);
    for (let index = path.length - 1; index >= 0; index--) patch = { [path[index]]: patch };
    result = mergeDeep(result, patch);
  }
  return result;
}

export function snakeToCamel(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function parseScalar(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}
