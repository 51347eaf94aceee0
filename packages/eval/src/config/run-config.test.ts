import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@chainlm/core';
import { describe, expect, it } from 'vitest';
import { promptHash } from './dataset-config.js';
import { buildRunConfig, loadRunConfig } from './run-config.js';
import { runName } from '../run/run-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'eval-config-'));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const model = `models:
  - type: openai
    abbr: toy
    baseUrl: http://127.0.0.1:1/v1
    model: toy
`;

const dataset = `datasets:
  - abbr: qa
    loader: { type: jsonl, splits: { test: data/qa.jsonl } }
    reader: { inputColumns: [q], outputColumn: a }
    infer:
      promptTemplate: { template: "Q: {q}\\nA:" }
      retriever: { type: zero-shot }
      inferencer: { type: gen, maxOutLen: 8 }
    eval:
      evaluator: { type: exact-match, ignoreCase: true }
`;

describe('run config', () => {
  it('loads YAML, fills defaults, resolves paths relative to the file and freezes', () => {
    const config = loadRunConfig(write('ok.yaml', `name: demo\nlimit: 5\n${model}${dataset}`));
    expect(config.name).toBe('demo');
    expect(config.runner).toEqual({ concurrency: 2, saveEvery: 16, shardSize: 500, type: 'local', attempts: 3 });
    expect(config.datasets[0].loader).toEqual({ type: 'jsonl', splits: { test: join(dir, 'data/qa.jsonl') } });
    expect(config.datasets[0].infer.inferencer).toMatchObject({ type: 'gen', maxOutLen: 8, temperature: 0, n: 1 });
    expect(config.models[0]).toMatchObject({ concurrency: 4, maxRetries: 5, mode: 'completions' });
    expect(Object.isFrozen(config.models[0])).toBe(true);
  });

  it('rejects an unknown key with file:line and the key path', () => {
    const file = write('typo.yaml', `${model}${dataset.replace('inferencer: { type: gen, maxOutLen: 8 }', 'inferencer: { type: gen, maxOutLenn: 8 }')}`);
    expect(() => loadRunConfig(file)).toThrow(ConfigError);
    expect(() => loadRunConfig(file)).toThrow(`${file}:13: datasets.0.infer.inferencer.maxOutLenn: unknown key "maxOutLenn"`);
  });

  it('rejects an unknown component type, naming the slot', () => {
    const file = write('type.yaml', `${model}${dataset.replace('type: zero-shot', 'type: nearest')}`);
    expect(() => loadRunConfig(file)).toThrow(/type\.yaml:12: datasets\.0\.infer\.retriever\.type/);
  });

  it('rejects duplicate dataset abbrs and an empty dataset list', () => {
    const twice = `${model}${dataset}${dataset.replace('datasets:\n', '')}`;
    expect(() => loadRunConfig(write('dup.yaml', twice))).toThrow('two datasets are named "qa"; give each a unique abbr');
    expect(() => loadRunConfig(write('empty.yaml', model))).toThrow(/no datasets/);
  });

  it('rejects duplicate model names', () => {
    const models = `${model}  - type: openai\n    abbr: toy\n    baseUrl: http://127.0.0.1:2/v1\n    model: other\n`;
    expect(() => loadRunConfig(write('dupm.yaml', `${models}${dataset}`))).toThrow('two models are named "toy"');
  });

  it('expands presets with the data folder and shot count', () => {
    const config = buildRunConfig({ models: [{ type: 'openai', baseUrl: 'http://x/v1', model: 'm' }], presets: ['gsm8k', 'arithmetic'], dataDir: '/data', shots: 0 });
    expect(config.datasets.map((entry) => entry.abbr)).toEqual(['gsm8k', 'arithmetic']);
    expect(config.datasets[0].loader).toEqual({ type: 'gsm8k', path: '/data/gsm8k' });
    expect(config.datasets[0].infer.retriever).toEqual({ type: 'zero-shot' });
    const capped = buildRunConfig({ models: [{ type: 'openai', baseUrl: 'http://x/v1', model: 'm' }], presets: ['gsm8k', 'arithmetic'], dataDir: '/data', maxOutLen: 16 });
    expect(capped.datasets.map((entry) => (entry.infer.inferencer as { maxOutLen: number }).maxOutLen)).toEqual([16, 8]);
    expect(() => buildRunConfig({ models: [{ type: 'openai', baseUrl: 'http://x/v1', model: 'm' }], presets: ['gsm8k'] })).toThrow(/needs a data folder/);
    expect(() => buildRunConfig({ models: [{ type: 'openai', baseUrl: 'http://x/v1', model: 'm' }], presets: ['nope'] })).toThrow(/unknown built-in dataset "nope"/);
  });

  it('the queue runner needs a Redis URL; runner settings do not change the run name', () => {
    const base = { models: [{ type: 'openai' as const, baseUrl: 'http://x/v1', model: 'm' }], presets: ['arithmetic'] };
    expect(() => buildRunConfig({ ...base, runner: { type: 'queue' } })).toThrow(/runner\.redis: the queue runner needs a Redis URL/);
    const queued = buildRunConfig({ ...base, runner: { type: 'queue', redis: 'redis://127.0.0.1:6379', attempts: 5 } });
    expect(queued.runner).toMatchObject({ type: 'queue', redis: 'redis://127.0.0.1:6379', attempts: 5 });
    expect(runName(queued)).toBe(runName(buildRunConfig(base)));
  });

  it('promptHash changes with the prompt and not with the loader', () => {
    const config = loadRunConfig(write('h.yaml', `${model}${dataset}`));
    const base = config.datasets[0];
    expect(promptHash({ ...base })).toBe(promptHash({ ...base, loader: { type: 'jsonl', splits: { test: 'elsewhere' } } } as typeof base));
    const changed = { ...base, infer: { ...base.infer, promptTemplate: { ...base.infer.promptTemplate, template: 'Question: {q}' } } };
    expect(promptHash(changed)).not.toBe(promptHash(base));
    expect(promptHash(base)).toMatch(/^[0-9a-f]{12}$/);
  });
});
