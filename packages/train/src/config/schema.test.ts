import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@chainlm/core';
import { describe, expect, it } from 'vitest';
import { loadTrainConfig, parseTrainConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'chainlm-train-config-'));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('train config', () => {
  it('fills a tiny preset under the file and freezes it', () => {
    const config = loadTrainConfig(write('ok.yaml', 'preset: tiny\ndata:\n  dataset: corpus.txt\nmaxSteps: 7\n'), { env: {} });
    expect(config.model.size).toBe('tiny');
    expect(config.maxSteps).toBe(7);
    expect(config.data.seqLen).toBe(64);
    expect(config.optimizer).toEqual({ name: 'adamw', lr: 3e-3, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.01 });
    expect(config.method).toBe('pretrain');
    expect(Object.isFrozen(config.optimizer)).toBe(true);
  });

  it('applies environment overrides', () => {
    const config = loadTrainConfig(write('env.yaml', 'preset: tiny\ndata:\n  dataset: x.txt\n'), { env: { CHAINLM_TRAIN_OPTIMIZER__LR: '0.5' } });
    expect(config.optimizer.lr).toBe(0.5);
  });

  it('rejects unknown keys with file and line', () => {
    const file = write('unknown.yaml', 'preset: tiny\ndata:\n  dataset: x.txt\noptimizer:\n  lr: 0.1\n  momentum: 0.9\n');
    const error = configError(() => loadTrainConfig(file, { env: {} }));
    expect(error.message).toBe(`${file}:6: optimizer.momentum: unknown key "momentum"`);
  });

  it('rejects a wrong type with its line', () => {
    const file = write('type.yaml', 'preset: tiny\ndata:\n  dataset: x.txt\nbatchSize: many\n');
    const error = configError(() => loadTrainConfig(file, { env: {} }));
    expect(error.issues[0]).toMatchObject({ path: 'batchSize', line: 4, found: 'string "many"' });
  });

  it('needs a model path or size', () => {
    const error = configError(() => parseTrainConfig({ model: {}, data: { dataset: 'x' }, maxSteps: 1 }));
    expect(error.issues[0].path).toBe('model');
    expect(error.message).toMatch(/model\.path .* or model\.size/);
  });

  it('needs exactly one data source', () => {
    const both = configError(() => parseTrainConfig({ model: { size: 'tiny' }, data: { dataset: 'x', shards: 'y' }, maxSteps: 1 }));
    expect(both.issues[0].path).toBe('data');
    const none = configError(() => parseTrainConfig({ model: { size: 'tiny' }, data: {}, maxSteps: 1 }));
    expect(none.message).toMatch(/exactly one of data\.shards/);
  });

  it('needs maxSteps or epochs', () => {
    const error = configError(() => parseTrainConfig({ model: { size: 'tiny' }, data: { dataset: 'x' } }));
    expect(error.issues[0]).toMatchObject({ path: 'maxSteps', message: expect.stringMatching(/maxSteps or epochs/) });
  });

  it('needs batchSize divisible by workers', () => {
    const error = configError(() => parseTrainConfig({ preset: 'tiny', data: { dataset: 'x' }, batchSize: 6, workers: 4 }));
    expect(error.issues[0].path).toBe('batchSize');
  });

  it('rejects unknown LoRA targets, methods and presets', () => {
    const lora = configError(() => parseTrainConfig({ preset: 'tiny', data: { dataset: 'x' }, method: 'lora', lora: { targetModules: ['qproj'] } }));
    expect(lora.issues[0].path).toBe('lora.targetModules.0');
    const method = configError(() => parseTrainConfig({ preset: 'tiny', data: { dataset: 'x' }, method: 'rlhf' }));
    expect(method.issues[0].path).toBe('method');
    const preset = configError(() => parseTrainConfig({ preset: 'huge', data: { dataset: 'x' }, model: { size: 'tiny' }, maxSteps: 1 }));
    expect(preset.issues[0].path).toBe('preset');
  });

  it('rejects out-of-range optimizer values', () => {
    const error = configError(() => parseTrainConfig({ preset: 'tiny', data: { dataset: 'x' }, optimizer: { betas: [0.9, 1.5] } }));
    expect(error.issues[0].path).toBe('optimizer.betas.1');
  });
});
