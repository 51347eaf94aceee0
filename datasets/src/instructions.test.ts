import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInstructions, workedAnswer } from './instructions.js';
import { writeDemoData } from './write-demo-data.js';

describe('generateInstructions', () => {
  const examples = generateInstructions({ arithmetic: 1000, toolUse: 100, storyQa: 100, seed: 5 });

  it('has each task with correct answers', () => {
    const arithmetic = examples.filter((example) => example.task === 'arithmetic');
    expect(arithmetic).toHaveLength(1000);
    for (const example of arithmetic) {
      const [, a, op, b] = example.messages[0].content.match(/^What is (\d+) ([+-]) (\d+)\?$/)!;
      const expected = op === '+' ? Number(a) + Number(b) : Number(a) - Number(b);
      expect(example.answer).toBe(String(expected));
      expect(expected).toBeGreaterThanOrEqual(0);
      expect(example.messages[1].content).toBe(`${a} ${op} ${b} = ${expected}.`);
    }
    const tool = examples.filter((example) => example.task === 'tool-use');
    expect(tool).toHaveLength(100);
    for (const example of tool) {
      expect(example.tools!.map((spec) => spec.function.name)).toContain('calculator');
      const turns = example.messages.filter((message) => message.role !== 'system');
      expect(turns.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
      const [call] = turns[1].tool_calls!;
      expect(call).toMatchObject({ type: 'function', function: { name: 'calculator' } });
      const { expression } = JSON.parse(call.function.arguments) as { expression: string };
      expect(turns[0].content).toContain(expression);
      expect(turns[2]).toEqual({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ result: example.answer, value: Number(example.answer) }) });
      expect(turns[3].content).toBe(`The answer is ${example.answer}.`);
    }
    expect(new Set(tool.map((example) => example.messages[0].role))).toEqual(new Set(['system', 'user']));
    const qa = examples.filter((example) => example.task === 'story-qa');
    expect(qa).toHaveLength(100);
    for (const example of qa) expect(example.messages[0].content.toLowerCase()).toContain(example.answer.toLowerCase());
  });

  it('works answers digit by digit with carries and borrows (steps format)', () => {
    expect(workedAnswer(27, '+', 15)).toBe('7 + 5 = 12, 2 + 1 + 1 = 4, so 27 + 15 = 42.');
    expect(workedAnswer(4, '+', 12)).toBe('4 + 2 = 6, 0 + 1 + 0 = 1, so 4 + 12 = 16.');
    expect(workedAnswer(9, '+', 9)).toBe('9 + 9 = 18, so 9 + 9 = 18.');
    expect(workedAnswer(30, '-', 24)).toBe('10 - 4 = 6, 3 - 2 - 1 = 0, so 30 - 24 = 6.');
    expect(workedAnswer(25, '-', 0)).toBe('5 - 0 = 5, 2 - 0 - 0 = 2, so 25 - 0 = 25.');
    expect(workedAnswer(10, '-', 9)).toBe('10 - 9 = 1, 1 - 0 - 1 = 0, so 10 - 9 = 1.');
    // Every step is a true single-digit fact and the last number is the answer.
    for (let a = 0; a <= 60; a++) {
      for (let b = 0; b <= 60; b++) {
        for (const op of ['+', '-'] as const) {
          if (op === '-' && b > a) continue;
          const text = workedAnswer(a, op, b);
          for (const step of text.split(', so ')[0].split(', ')) {
            const [left, right] = step.split(' = ');
            const terms = left.split(' ');
            let value = Number(terms[0]);
            for (let index = 1; index < terms.length; index += 2) value += terms[index] === '+' ? Number(terms[index + 1]) : -Number(terms[index + 1]);
            expect(value, `${a} ${op} ${b}: ${step}`).toBe(Number(right));
            expect(Number(right)).toBeGreaterThanOrEqual(0);
          }
          expect(text.endsWith(`= ${op === '+' ? a + b : a - b}.`)).toBe(true);
        }
      }
    }
    const steps = generateInstructions({ arithmetic: 50, toolUse: 0, storyQa: 0, arithmeticFormat: 'steps', maxOperand: 20 });
    for (const example of steps) expect(example.messages[1].content).toMatch(new RegExp(`, so .* = ${example.answer}\\.$`));
  });

  it('holds out about 10% with no arithmetic problem in both splits', () => {
    const test = examples.filter((example) => example.split === 'test' && example.task === 'arithmetic');
    expect(test.length).toBeGreaterThan(50);
    expect(test.length).toBeLessThan(160);
    const trainQuestions = new Set(examples.filter((example) => example.split === 'train').map((example) => example.messages[0].content));
    for (const example of test) expect(trainQuestions.has(example.messages[0].content)).toBe(false);
  });

  it('writes JSONL files the data package can ingest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainlm-demo-'));
    const files = await writeDemoData(dir, { stories: 100, arithmetic: 200, toolUse: 20, storyQa: 20 });
    const stories = readFileSync(files.stories, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(stories).toHaveLength(100);
    const train = readFileSync(files.instructionsTrain, 'utf8').trim().split('\n');
    const test = readFileSync(files.instructionsTest, 'utf8').trim().split('\n');
    expect(train.length + test.length).toBe(240);
    expect(files.counts).toEqual({ stories: 100, train: train.length, test: test.length });
    const arithmetic = readFileSync(files.arithmeticTest, 'utf8').trim().split('\n').map((row) => JSON.parse(row));
    expect(arithmetic.length).toBe(test.filter((row) => row.includes('"arithmetic"')).length);
    expect(arithmetic[0]).toEqual({ id: expect.any(String), question: expect.stringMatching(/^What is \d+ [+-] \d+\?$/), answer: expect.stringMatching(/^\d+$/) });
  });
});
