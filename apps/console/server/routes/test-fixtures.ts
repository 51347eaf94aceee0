/**
 * A small CHAINLM_HOME for the API tests, written through the packages' own
 * writers where they have one (ingest, RunStore, Registry) and in the eval
 * package's documented run layout otherwise.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry, resolveHome, type ChainlmHome } from '@chainlm/core';
import { ingest } from '@chainlm/data';
import { RunStore } from '@chainlm/train';

export async function makeFixtureHome(): Promise<ChainlmHome> {
  const root = mkdtempSync(join(tmpdir(), 'console-api-'));
  const home = resolveHome({ CHAINLM_HOME: root });
  const source = join(root, 'input.jsonl');
  const lines = Array.from({ length: 30 }, (_, index) => JSON.stringify({ text: `record number ${index} says hello` }));
  writeFileSync(source, `${lines.join('\n')}\n{"text": broken\n`);
  await ingest({ home, dataset: 'notes', paths: [source] });
  const store = new RunStore('run-a', home);
  store.ensureDir();
  await store.writeInfo({ run: 'run-a', status: 'finished', method: 'pretrain', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', datasetId: 'dataset:notes' });
  for (let step = 1; step <= 5; step += 1) store.append({ step, loss: 6 - step * 0.5, lr: 0.001, gradNorm: 1, tokensPerSecond: 1000, elapsed: step, tokens: step * 512, epoch: 0 });
  store.append({ step: 5, valLoss: 3.9, valPerplexity: 49.4 });
  const registry = openRegistry({ file: home.registryFile });
  await registry.record({ kind: 'run', name: 'run-a', path: store.dir, inputs: [{ id: 'dataset:notes', relation: 'trained-on' }] });
  await registry.record({ kind: 'model', name: 'run-a', path: home.path('models', 'run-a'), inputs: [{ id: 'run:run-a', relation: 'exported' }] });
  const runB = new RunStore('run-b', home);
  runB.ensureDir();
  await runB.writeInfo({ run: 'run-b', status: 'running', method: 'pretrain', createdAt: '2026-01-03T00:00:00.000Z', updatedAt: '2026-01-03T00:00:00.000Z' });
  for (let step = 1; step <= 3; step += 1) runB.append({ step, loss: 5 - step, lr: 0.002, gradNorm: 1, tokensPerSecond: 2000, elapsed: step, tokens: step * 1024, epoch: 0 });
  writeEvalRun(home, 'before_1', 'tiny-a', [false, true, false, true]);
  writeEvalRun(home, 'after_2', 'tiny-b', [true, true, true, false]);
  return home;
}

function writeEvalRun(home: ChainlmHome, run: string, model: string, correct: boolean[]): void {
  const dir = home.path('evals', run);
  const score = (100 * correct.filter(Boolean).length) / correct.length;
  const row = { dataset: 'arithmetic', model, metric: 'accuracy', score, mode: 'gen', promptHash: 'abc123' };
  for (const folder of ['summary', join('results', model), join('predictions', model)]) mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, 'summary', 'summary.json'), JSON.stringify({ run, createdAt: run === 'before_1' ? '2026-01-01T00:00:00Z' : '2026-01-02T00:00:00Z', rows: [row] }));
  const details = correct.map((ok, index) => ({ index, prediction: ok ? String(index * 2) : '?', reference: String(index * 2), correct: ok }));
  writeFileSync(join(dir, 'results', model, 'arithmetic.json'), JSON.stringify({ ...row, extra: {}, details }));
  const records = correct.map((_, index) => ({ index, prompt: `${index}+${index}=`, prediction: null, reference: String(index * 2) }));
  writeFileSync(join(dir, 'predictions', model, 'arithmetic_0.json'), JSON.stringify({ version: 1, records: records.slice(0, 2) }));
  writeFileSync(join(dir, 'predictions', model, 'arithmetic_1.json'), JSON.stringify({ version: 1, records: records.slice(2) }));
}
