import { join } from 'node:path';
import { writeFileAtomic } from '@chainlm/core';
import { generateInstructions, type InstructionOptions } from './instructions.js';
import { generateStories } from './stories.js';

export interface DemoDataOptions extends InstructionOptions {
  stories?: number;
}

export interface DemoDataFiles {
  stories: string;
  instructionsTrain: string;
  instructionsTest: string;
  /** Held-out arithmetic as flat `{question, answer}` rows, for evaluation loaders. */
  arithmeticTest: string;
  counts: { stories: number; train: number; test: number };
}

/**
 * Writes the demo corpus and instruction set as files the data package ingests:
 * `stories.jsonl` ({text}), `instructions.train.jsonl` and `instructions.test.jsonl`
 * ({messages, task, answer}, plus tools on tool-use rows — OpenAI chat shape), and `arithmetic.test.jsonl`
 * ({question, answer}) for evaluation.
 */
export async function writeDemoData(dir: string, options: DemoDataOptions = {}): Promise<DemoDataFiles> {
  const stories = generateStories(options.stories ?? 20_000, options.seed ?? 1);
  const examples = generateInstructions(options);
  const files = {
    stories: join(dir, 'stories.jsonl'),
    instructionsTrain: join(dir, 'instructions.train.jsonl'),
    instructionsTest: join(dir, 'instructions.test.jsonl'),
    arithmeticTest: join(dir, 'arithmetic.test.jsonl'),
  };
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  await writeFileAtomic(files.stories, stories.map((story) => line({ id: story.id, text: story.text })).join(''));
  const train = examples.filter((example) => example.split === 'train');
  const test = examples.filter((example) => example.split === 'test');
  const asRecord = ({ id, task, messages, tools, answer }: (typeof examples)[number]) => line({ id, task, ...(tools ? { tools } : {}), messages, answer });
  await writeFileAtomic(files.instructionsTrain, train.map(asRecord).join(''));
  await writeFileAtomic(files.instructionsTest, test.map(asRecord).join(''));
  const arithmetic = test.filter((example) => example.task === 'arithmetic');
  await writeFileAtomic(files.arithmeticTest, arithmetic.map((example) => line({ id: example.id, question: example.messages[0].content, answer: example.answer })).join(''));
  return { ...files, counts: { stories: stories.length, train: train.length, test: test.length } };
}
