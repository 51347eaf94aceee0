/**
 * A chat-format instruction set for the demo's fine-tuning stage:
 *  - arithmetic: "What is 12 + 7?" → "12 + 7 = 19." (small operands, so a tiny model
 *    can learn it; the held-out split never shares a problem with training),
 *  - tool use: the assistant calls the calculator with a `<tool_call>{json}</tool_call>`
 *    block, the tool answers, the assistant states the result,
 *  - story Q&A: questions whose answers are facts of a generated story.
 * Splits are by a hash of the problem text, so they do not move when the seed or the
 * count changes.
 */
import { SeededRandom } from '@chainlm/core';
import { stableBucket } from './stable-bucket.js';
import { generateStories, type Story } from './stories.js';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface InstructionExample {
  id: string;
  task: 'arithmetic' | 'tool-use' | 'story-qa';
  split: 'train' | 'test';
  messages: ChatMessage[];
  /** The reference answer an evaluator compares with (a number, a name, ...). */
  answer: string;
}

export interface InstructionOptions {
  arithmetic?: number;
  toolUse?: number;
  storyQa?: number;
  seed?: number;
  /** Percentage of problems held out for evaluation. */
  testPercent?: number;
  maxOperand?: number;
}

function splitOf(key: string, testPercent: number): 'train' | 'test' {
  return stableBucket(key, 100) < testPercent ? 'test' : 'train';
}

export function arithmeticProblem(random: SeededRandom, maxOperand: number): { question: string; expression: string; answer: number } {
  const add = random.chance(0.5);
  let a = random.int(0, maxOperand);
  let b = random.int(0, maxOperand);
  if (!add && b > a) [a, b] = [b, a];
  const expression = `${a} ${add ? '+' : '-'} ${b}`;
  return { question: `What is ${expression}?`, expression, answer: add ? a + b : a - b };
}

function toolProblem(random: SeededRandom): { expression: string; answer: number } {
  const a = random.int(12, 999);
  const b = random.int(2, 99);
  const op = random.pick(['*', '+', '-'] as const);
  const answer = op === '*' ? a * b : op === '+' ? a + b : a - b;
  return { expression: `${a} ${op} ${b}`, answer };
}

function storyQuestions(story: Story): { question: string; answer: string }[] {
  const { facts } = story;
  return [
    { question: `What was the name of the ${facts.heroKind}?`, answer: facts.hero },
    { question: `What color was ${facts.hero}'s ${facts.toy}?`, answer: facts.color },
    { question: `Where did ${facts.hero} go?`, answer: `the ${facts.place}` },
    { question: `What animal was in the story?`, answer: facts.animal },
  ];
}

export function generateInstructions(options: InstructionOptions = {}): InstructionExample[] {
  const seed = options.seed ?? 1;
  const testPercent = options.testPercent ?? 10;
  const maxOperand = options.maxOperand ?? 50;
  const random = new SeededRandom(seed);
  const examples: InstructionExample[] = [];
  const seen = new Set<string>();

  for (let index = 0; examples.length < (options.arithmetic ?? 2000) && index < 100 * (options.arithmetic ?? 2000); index++) {
    const problem = arithmeticProblem(random, maxOperand);
    if (seen.has(problem.expression)) continue;
    seen.add(problem.expression);
    examples.push({
      id: `arith-${problem.expression.replaceAll(' ', '')}`,
      task: 'arithmetic',
      split: splitOf(problem.expression, testPercent),
      messages: [
        { role: 'user', content: problem.question },
        { role: 'assistant', content: `${problem.expression} = ${problem.answer}.` },
      ],
      answer: String(problem.answer),
    });
  }

  for (let index = 0; index < (options.toolUse ?? 300); index++) {
    const problem = toolProblem(random);
    const call = JSON.stringify({ name: 'calculator', arguments: { expression: problem.expression } });
    examples.push({
      id: `tool-${index}`,
      task: 'tool-use',
      split: splitOf(`tool:${problem.expression}`, testPercent),
      messages: [
        { role: 'user', content: random.pick(['Use the calculator: what is', 'Please compute', 'Calculate']) + ` ${problem.expression}.` },
        { role: 'assistant', content: `<tool_call>${call}</tool_call>` },
        { role: 'tool', content: String(problem.answer) },
        { role: 'assistant', content: `${problem.expression} = ${problem.answer}.` },
      ],
      answer: String(problem.answer),
    });
  }

  const stories = generateStories(Math.ceil((options.storyQa ?? 400) / 2), seed + 7919);
  for (const story of stories) {
    const questions = storyQuestions(story);
    for (const pick of [random.int(0, 1), random.int(2, 3)]) {
      const { question, answer } = questions[pick];
      if (examples.filter((example) => example.task === 'story-qa').length >= (options.storyQa ?? 400)) break;
      examples.push({
        id: `qa-${story.id}-${pick}`,
        task: 'story-qa',
        split: splitOf(`${story.text}\n${question}`, testPercent),
        messages: [
          { role: 'user', content: `${story.text}\n\n${question}` },
          { role: 'assistant', content: `${capitalizeFirst(answer)}.` },
        ],
        answer,
      });
    }
  }
  return examples;
}

function capitalizeFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
