/** Guards of dataset loading, prompt building and saved predictions, each tripped. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { ScriptedModel } from '../__tests__/scripted-model.js';
import { datasetConfigSchema, type DatasetConfig } from '../config/dataset-config.js';
import { loaders } from '../datasets/loader.js';
import { buildItems } from '../tasks/build-items.js';
import { readPredictions, writePredictions } from '../tasks/predictions-file.js';
import { retrievers } from '../retrievers/retriever.js';
import { loadDataset } from './load-datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'eval-guards-'));
writeFileSync(join(dir, 'rows.jsonl'), '{"q":"one","a":"1","choices":"not a list"}\n{"q":"two","a":"2","choices":"x"}\n');

function dataset(patch: Record<string, unknown> = {}, infer: Record<string, unknown> = {}): DatasetConfig {
  return datasetConfigSchema().parse({
    abbr: 'd',
    loader: { type: 'jsonl', splits: { test: join(dir, 'rows.jsonl'), train: join(dir, 'rows.jsonl') } },
    reader: { inputColumns: ['q'], outputColumn: 'a' },
    infer: { promptTemplate: { template: '{q}' }, inferencer: { type: 'gen' }, ...infer },
    eval: { evaluator: { type: 'accuracy' } },
    ...patch,
  });
}

const load = async (options: Record<string, unknown> & { type: string }) => loaders.get(options.type).create(loaders.get(options.type).schema.parse(options), undefined).load();
const model = new ScriptedModel('m', {});

describe('dataset guards', () => {
  it('names a reader column the rows lack', async () => {
    await expect(loadDataset(dataset({ reader: { inputColumns: ['question'], outputColumn: 'a' } }), undefined)).rejects.toThrow('dataset d: the reader names column "question" but the rows have q, a, choices');
  });

  it('needs the train split when a retriever picks examples', async () => {
    const config = dataset({ loader: { type: 'jsonl', splits: { test: join(dir, 'rows.jsonl') } } }, { retriever: { type: 'fixed', k: 1 }, iceTemplate: '{q}' });
    await expect(loadDataset(config, undefined)).rejects.toThrow(/reader.trainSplit "train" \(the in-context examples\) is not a split/);
  });

  it('needs an ICE template when examples are retrieved', async () => {
    const loaded = await loadDataset(dataset({}, { retriever: { type: 'fixed', k: 1 } }), 1);
    await expect(buildItems({ dataset: loaded.config, test: loaded.test, indices: [0], train: loaded.train, retriever: loaded.retriever, needsCandidates: false, model })).rejects.toThrow(/infer.iceTemplate is not set/);
  });

  it('needs candidates for ppl, and an array for choicesColumn', async () => {
    const zero = retrievers.get('zero-shot').create({ type: 'zero-shot' }, undefined);
    const bare = dataset({}, { inferencer: { type: 'ppl' } });
    const rows = [{ q: 'one', a: '1', choices: 'not a list' }];
    await expect(buildItems({ dataset: bare, test: rows, indices: [0], train: [], retriever: zero, needsCandidates: true, model })).rejects.toMatchObject({ code: 'eval-template-candidates', hint: expect.stringContaining('promptTemplate.candidates') });
    const column = dataset({}, { inferencer: { type: 'ppl' }, promptTemplate: { template: '{q}', choicesColumn: 'choices' } });
    await expect(buildItems({ dataset: column, test: rows, indices: [0], train: [], retriever: zero, needsCandidates: true, model })).rejects.toThrow(/column "choices" is not an array of 1–10 choices/);
    const good = await buildItems({ dataset: column, test: [{ q: 'x', a: 'B', choices: ['p', 'q'] }], indices: [7], train: [], retriever: zero, needsCandidates: true, model });
    expect(good[0]).toMatchObject({ index: 7, prompt: 'x', reference: 'B', candidates: [{ label: 'A', continuation: ' p' }, { label: 'B', continuation: ' q' }] });
  });
});

describe('loader guards', () => {
  it('mmlu rejects an answer that is not A–D; arc a gold outside the choices', async () => {
    const mmlu = join(dir, 'mmlu');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(mmlu, 'test'), { recursive: true });
    writeFileSync(join(mmlu, 'test', 'x_test.csv'), 'q,a,b,c,d,E\n');
    await expect(load({ type: 'mmlu', path: mmlu })).rejects.toThrow(/x_test.csv: record 1 has answer "E", expected A, B, C or D/);
    writeFileSync(join(dir, 'arc_easy.jsonl'), '{"query":"Question: q","choices":["a","b"],"gold":2}\n');
    await expect(load({ type: 'arc', path: dir })).rejects.toThrow(/record 1 needs a choices array and a gold index inside it/);
  });

  it('gsm8k names the missing field; csv without header needs columns; text-corpus needs start < end', async () => {
    const gsm = join(dir, 'gsm');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(gsm, { recursive: true });
    writeFileSync(join(gsm, 'train.jsonl'), '{"question":"q"}\n');
    writeFileSync(join(gsm, 'test.jsonl'), '{"question":"q","answer":"#### 1"}\n');
    await expect(load({ type: 'gsm8k', path: gsm })).rejects.toThrow(/train.jsonl: record 1 has no "answer" field/);
    await expect(load({ type: 'csv', header: false, splits: { test: join(dir, 'rows.jsonl') } })).rejects.toThrow(/no header and no column names/);
    await expect(load({ type: 'text-corpus', path: join(dir, 'rows.jsonl'), start: 0.5, end: 0.5 })).rejects.toThrow(/start \(0.5\) must be below end \(0.5\)/);
  });
});

describe('saved predictions', () => {
  it('are ignored when written for another prompt hash or shard range', async () => {
    const file = join(dir, 'predictions.json');
    const header = { task: 'm/d', promptHash: 'aaa', start: 0, end: 4 };
    await writePredictions(file, header, new Map([[1, { index: 1, prompt: 'p', prediction: 'x', reference: 'y' }]]));
    expect(readPredictions(file, header).get(1)).toMatchObject({ prediction: 'x' });
    expect(readPredictions(file, { ...header, promptHash: 'bbb' }).size).toBe(0);
    expect(readPredictions(file, { ...header, end: 5 }).size).toBe(0);
    writeFileSync(file, '{"truncated": ');
    expect(readPredictions(file, header).size).toBe(0);
  });
});
