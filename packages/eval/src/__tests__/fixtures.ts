/** Small on-disk datasets and configs shared by the run and CLI tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfigInput } from '../config/run-config.js';

export function writeFixtureData(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const mcq = [
    { question: 'Which is a fruit?', A: 'stone', B: 'apple', C: 'car', D: 'cloud', answer: 'B' },
    { question: 'Which is a color?', A: 'red', B: 'dog', C: 'run', D: 'seven', answer: 'A' },
    { question: 'Which is a number?', A: 'blue', B: 'cat', C: 'seven', D: 'sky', answer: 'C' },
    { question: 'Which animal barks?', A: 'fish', B: 'dog', C: 'tree', D: 'lamp', answer: 'B' },
    { question: 'Which one is a planet?', A: 'mars', B: 'spoon', C: 'chair', D: 'bread', answer: 'A' },
  ];
  writeFileSync(join(dir, 'mcq-test.jsonl'), mcq.map((row) => JSON.stringify(row)).join('\n'));
  writeFileSync(join(dir, 'mcq-train.jsonl'), mcq.map((row) => JSON.stringify({ ...row, question: `Example: ${row.question}` })).join('\n'));
  writeFileSync(join(dir, 'corpus.txt'), Array.from({ length: 40 }, (_, index) => `line ${index} of the corpus with words ${index % 7}`).join('\n'));
}

export function fixtureConfig(dataDir: string, baseUrl: string, outputDir: string): RunConfigInput {
  return {
    name: 'fixture',
    outputDir,
    registry: false,
    runner: { concurrency: 2, saveEvery: 4, shardSize: 500 },
    models: [{ type: 'openai', abbr: 'toy', baseUrl, model: 'toy', retryBaseMs: 1, retryMaxMs: 10 }],
    presets: ['arithmetic'],
    datasets: [
      {
        abbr: 'mcq',
        loader: { type: 'jsonl', splits: { train: join(dataDir, 'mcq-train.jsonl'), test: join(dataDir, 'mcq-test.jsonl') } },
        reader: { inputColumns: ['question'], outputColumn: 'answer' },
        infer: {
          promptTemplate: { template: '{question}\nAnswer:', candidates: { A: ' {A}', B: ' {B}', C: ' {C}', D: ' {D}' } },
          iceTemplate: '{question}\nAnswer: {answer}\n\n',
          retriever: { type: 'bm25', k: 1 },
          inferencer: { type: 'ppl' },
        },
        eval: { evaluator: { type: 'accuracy' } },
      },
      {
        abbr: 'corpus',
        loader: { type: 'text-corpus', path: join(dataDir, 'corpus.txt'), chunkChars: 200, start: 0 },
        reader: { inputColumns: ['text'], outputColumn: 'text' },
        infer: { promptTemplate: { template: '{text}' }, inferencer: { type: 'll' } },
        eval: { evaluator: { type: 'perplexity' } },
      },
    ],
  };
}
