/**
 * A chat-format instruction set for the demo's fine-tuning stage:
 *  - arithmetic: "What is 12 + 7?" → "12 + 7 = 19." (`direct`), or worked digit by
 *    digit from the ones up (`steps`: "2 + 7 = 9, 1 + 0 + 0 = 1, so 12 + 7 = 19."), a
 *    scratchpad that turns a sum a tiny model would have to memorise into single-digit
 *    facts it sees in hundreds of other problems, so it generalises to held-out ones
 *    (the held-out split never shares a problem with training),
 *  - tool use, in OpenAI's function-calling shape: the record lists `tools`, the
 *    assistant answers with `tool_calls` (the calculator), the tool result comes back
 *    as the calculator tool reports it, the assistant states the result. The chat
 *    template renders these at training time exactly as the server renders an agent's
 *    request, so the fine-tuned model can drive a real function-calling agent,
 *  - story Q&A: questions whose answers are facts of a generated story.
 * Splits are by a hash of the problem text, so they do not move when the seed or the
 * count changes.
 */
import { SeededRandom } from '@chainlm/core';
import { stableBucket } from './stable-bucket.js';
import { generateStories, type Story } from './stories.js';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';
export interface ToolCallMessage {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content: string | null;
  tool_calls?: ToolCallMessage[];
  tool_call_id?: string;
}

/** An OpenAI tool entry (only the name reaches the demo's compact chat template). */
export interface ToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface InstructionExample {
  id: string;
  task: 'arithmetic' | 'tool-use' | 'story-qa';
  split: 'train' | 'test';
  messages: ChatMessage[];
  /** Tools offered to the model (tool-use examples only). */
  tools?: ToolSpec[];
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
  /** How arithmetic answers are written (default direct). */
  arithmeticFormat?: ArithmeticFormat;
}

export type ArithmeticFormat = 'direct' | 'steps';

function splitOf(key: string, testPercent: number): 'train' | 'test' {
  return stableBucket(key, 100) < testPercent ? 'test' : 'train';
}

export function arithmeticProblem(random: SeededRandom, maxOperand: number): { question: string; expression: string; answer: number; a: number; op: '+' | '-'; b: number } {
  const add = random.chance(0.5);
  let a = random.int(0, maxOperand);
  let b = random.int(0, maxOperand);
  if (!add && b > a) [a, b] = [b, a];
  const expression = `${a} ${add ? '+' : '-'} ${b}`;
  return { question: `What is ${expression}?`, expression, answer: add ? a + b : a - b, a, op: add ? '+' : '-', b };
}

const tool = (name: string, description: string, parameter: string): ToolSpec => ({
  type: 'function',
  function: { name, description, parameters: { type: 'object', properties: { [parameter]: { type: 'string' } }, required: [parameter] } },
});
const calculator = tool('calculator', 'Evaluates a math expression exactly as written.', 'expression');
/** Tool lists an agent may offer (the console's agent view offers all three by default). */
const toolLists: ToolSpec[][] = [
  [calculator],
  [calculator, tool('unit_convert', 'Converts a quantity between units.', 'quantity'), tool('date_time', 'Tells the current date and time.', 'timezone')],
];
/** No system prompt, a plain one, and the function-calling agent's default instructions. */
const systemPrompts = [null, 'You are a helpful assistant.', 'You are a helpful assistant. Call the provided functions whenever they help (always use the calculator for arithmetic), then answer the user.'];
const toolAsks = ['Use the calculator: what is', 'Please compute', 'Calculate', 'What is', 'How much is'];

const digit = (value: number, place: number) => Math.floor(value / 10 ** place) % 10;

/**
 * "a op b = c." worked column by column from the ones up, with the carry (addition) or
 * borrow (subtraction) written out: 27 + 15 → "7 + 5 = 12, 2 + 1 + 1 = 4, so 27 + 15 = 42.",
 * 30 - 24 → "10 - 4 = 6, 3 - 2 - 1 = 0, so 30 - 24 = 6.". Needs a >= b for subtraction.
 */
export function workedAnswer(a: number, op: '+' | '-', b: number): string {
  const columns = Math.max(String(a).length, String(b).length);
  const steps: string[] = [];
  let carry = 0;
  for (let place = 0; place < columns; place++) {
    const top = digit(a, place);
    const bottom = digit(b, place);
    const last = place === columns - 1;
    if (op === '+') {
      const sum = top + bottom + carry;
      steps.push(place === 0 ? `${top} + ${bottom} = ${sum}` : `${top} + ${bottom} + ${carry} = ${sum}`);
      carry = last ? 0 : Math.floor(sum / 10);
    } else {
      const borrowIn = carry;
      const lent = top - borrowIn < bottom && !last ? 10 : 0;
      const value = top + lent - bottom - borrowIn;
      steps.push(place === 0 ? `${top + lent} - ${bottom} = ${value}` : `${top + lent} - ${bottom} - ${borrowIn} = ${value}`);
      carry = lent ? 1 : 0;
    }
  }
  const answer = op === '+' ? a + b : a - b;
  return `${steps.join(', ')}, so ${a} ${op} ${b} = ${answer}.`;
}

/** A number of 1 to `maxDigits` digits, each length equally likely (so a model copies short numbers as well as long ones). */
function operand(random: SeededRandom, maxDigits: number): number {
  const digits = random.int(1, maxDigits);
  return random.int(digits === 1 ? 2 : 10 ** (digits - 1), 10 ** digits - 1);
}

function toolProblem(random: SeededRandom): { expression: string; answer: number } {
  const a = operand(random, 3);
  const b = operand(random, 2);
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
  const format = options.arithmeticFormat ?? 'direct';
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
        { role: 'assistant', content: format === 'steps' ? workedAnswer(problem.a, problem.op, problem.b) : `${problem.expression} = ${problem.answer}.` },
      ],
      answer: String(problem.answer),
    });
  }

  for (let index = 0; index < (options.toolUse ?? 300); index++) {
    const problem = toolProblem(random);
    const system = random.pick(systemPrompts);
    const callId = `call_${index}`;
    const ask = random.pick(toolAsks);
    examples.push({
      id: `tool-${index}`,
      task: 'tool-use',
      split: splitOf(`tool:${problem.expression}`, testPercent),
      tools: random.pick(toolLists),
      messages: [
        ...(system === null ? [] : [{ role: 'system' as const, content: system }]),
        { role: 'user', content: `${ask} ${problem.expression}${ask.startsWith('What') || ask.startsWith('How') ? '?' : '.'}` },
        { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'calculator', arguments: JSON.stringify({ expression: problem.expression }) } }] },
        // What the agent package's calculator returns for an integer result.
        { role: 'tool', tool_call_id: callId, content: JSON.stringify({ result: String(problem.answer), value: problem.answer }) },
        // The result is copied from the tool message right above: the one copy a tiny model learns reliably,
        // and a different shape from the worked arithmetic answers, so the model does not start doing the sum itself.
        { role: 'assistant', content: `The answer is ${problem.answer}.` },
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
