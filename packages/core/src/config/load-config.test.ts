import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { loadConfigFile, parseConfigText } from './load-config.js';

const schema = z.strictObject({
  name: z.string(),
  optimizer: z.strictObject({ lr: z.number().positive(), betas: z.array(z.number()).length(2).default([0.9, 0.95]) }),
  maxSteps: z.number().int().default(100),
});

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainlm-config-'));

  it('loads YAML, applies defaults and freezes the result', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'name: run\noptimizer:\n  lr: 0.001\n');
    const config = loadConfigFile(file, schema);
    expect(config).toEqual({ name: 'run', optimizer: { lr: 0.001, betas: [0.9, 0.95] }, maxSteps: 100 });
    expect(Object.isFrozen(config.optimizer)).toBe(true);
  });

  it('loads JSON files too', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ name: 'j', optimizer: { lr: 1 } }));
    expect(loadConfigFile(file, schema).name).toBe('j');
  });

  it('names file, line, key path, expected and found for a wrong type', () => {
    const error = configError(() => parseConfigText('name: run\noptimizer:\n  lr: "fast"\n', 'train.yaml', schema));
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'optimizer.lr', line: 3, expected: 'number', found: 'string "fast"' }),
    ]);
    expect(error.message).toBe('train.yaml:3: optimizer.lr: expected number, found string "fast"');
    expect(error.exitCode).toBe(2);
  });

  it('rejects unknown keys with their line', () => {
    const error = configError(() => parseConfigText('name: run\noptimizer:\n  lr: 1\n  lrr: 2\n', 'train.yaml', schema));
    expect(error.message).toBe('train.yaml:4: optimizer.lrr: unknown key "lrr"');
  });

  it('reports a missing key at its parent', () => {
    const error = configError(() => parseConfigText('name: run\noptimizer: {}\n', 'train.yaml', schema));
    expect(error.issues[0]).toMatchObject({ path: 'optimizer.lr', line: 2, found: 'nothing' });
  });

  it('reports invalid YAML with its line', () => {
    const error = configError(() => parseConfigText('name: run\noptimizer:\n  lr: [1, 2\n', 'bad.yaml', schema));
    expect(error.issues[0].line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/^bad\.yaml:\d+: \(root\): invalid YAML/);
  });

  it('reports a duplicate key as invalid YAML', () => {
    const error = configError(() => parseConfigText('name: a\nname: b\noptimizer: {lr: 1}\n', 'dup.yaml', schema));
    expect(error.message).toMatch(/dup\.yaml:2/);
  });

  it('locates items in sequences', () => {
    const error = configError(() => parseConfigText('name: run\noptimizer:\n  lr: 1\n  betas:\n    - 0.9\n    - "x"\n', 'b.yaml', schema));
    expect(error.issues[0]).toMatchObject({ path: 'optimizer.betas.1', line: 6 });
  });

  it('applies CHAINLM_* environment overrides before validation', () => {
    const env = { CHAINLM_TRAIN_OPTIMIZER__LR: '3e-4', CHAINLM_TRAIN_MAX_STEPS: '7', OTHER: 'x' };
    const config = parseConfigText('name: run\noptimizer:\n  lr: 1\n', 'e.yaml', schema, { envPrefix: 'CHAINLM_TRAIN_', env });
    expect(config.optimizer.lr).toBe(3e-4);
    expect(config.maxSteps).toBe(7);
  });

  it('says which file could not be read', () => {
    expect(() => loadConfigFile(join(dir, 'missing.yaml'), schema)).toThrow(/cannot read config file .*missing\.yaml/);
  });
});
