/**
 * A small project-written tool-use benchmark: tasks an LLM cannot answer reliably
 * without a tool — arithmetic (calculator), lookups in a generated document folder
 * about made-up facts (doc_search), and computations (javascript interpreter).
 * Scoring (OpenCompass-style `{ score, details }`): a task succeeds when the final
 * answer contains the expected answer AND the required tool returned it in a
 * successful observation — a model that guesses right without the tool fails.
 * packages/eval runs it through `runToolUseBenchmark` with any ChatModel.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAgent } from '../agents/create-agent.js';
import type { AgentKind, AgentRunResult } from '../agents/agent-types.js';
import type { ChatModel } from '../models/chat-model.js';
import type { Tool } from '../tools/tool.js';

export type ToolUseCategory = 'arithmetic' | 'lookup' | 'code';

export interface ToolUseTask {
  id: string;
  category: ToolUseCategory;
  question: string;
  /** Must appear in the answer (case- and thousands-separator-insensitive). */
  expected: string;
  requiredTool: 'calculator' | 'doc_search' | 'javascript';
  /** A correct tool input, used by the scripted reference solutions. */
  referenceInput: Record<string, unknown>;
}

/** The document folder the lookup tasks search: invented facts, so no model knows them. */
export const toolUseDocs: Record<string, string> = {
  'history/lighthouses.md': '# Lighthouses of the Sorrel coast\n\nThe Harrow Point lighthouse was built in 1887 by the engineer Mara Ellison.\nIts lamp was electrified in 1931.\n\nThe Gull Rock light is older but was never manned.\n',
  'food/bakery.md': '# The Vellum Bakery\n\nThe Vellum Bakery sourdough uses a starter named Bartholomew, fed at 6am daily.\n\nTheir rye loaf is baked only on Thursdays.\n',
  'products/drones.txt': 'Model QX-7 drone: maximum flight time 38 minutes; weight 1.2 kg.\n\nModel QX-9 drone: maximum flight time 51 minutes; weight 1.9 kg.\n',
};

export const toolUseTasks: ToolUseTask[] = [
  { id: 'arith-1', category: 'arithmetic', question: 'What is 48271 * 1093 - 777?', expected: '52759426', requiredTool: 'calculator', referenceInput: { expression: '48271 * 1093 - 777' } },
  { id: 'arith-2', category: 'arithmetic', question: 'How many kilometres are 26.2 miles, rounded to 2 decimals?', expected: '42.16', requiredTool: 'calculator', referenceInput: { expression: 'round(number(26.2 mile, km), 2)' } },
  { id: 'arith-3', category: 'arithmetic', question: 'What is the square root of 1522756?', expected: '1234', requiredTool: 'calculator', referenceInput: { expression: 'sqrt(1522756)' } },
  { id: 'lookup-1', category: 'lookup', question: 'Who built the Harrow Point lighthouse?', expected: 'Mara Ellison', requiredTool: 'doc_search', referenceInput: { query: 'Harrow Point lighthouse built' } },
  { id: 'lookup-2', category: 'lookup', question: "What is the name of the Vellum Bakery's sourdough starter?", expected: 'Bartholomew', requiredTool: 'doc_search', referenceInput: { query: 'Vellum Bakery sourdough starter' } },
  { id: 'lookup-3', category: 'lookup', question: 'What is the maximum flight time of the QX-9 drone in minutes?', expected: '51', requiredTool: 'doc_search', referenceInput: { query: 'QX-9 maximum flight time' } },
  { id: 'code-1', category: 'code', question: 'How many prime numbers are there below 10000?', expected: '1229', requiredTool: 'javascript', referenceInput: { code: 'let n = 0; for (let i = 2; i < 10000; i++) { let p = true; for (let d = 2; d * d <= i; d++) if (i % d === 0) { p = false; break; } if (p) n++; } n' } },
  { id: 'code-2', category: 'code', question: 'What is the 30th Fibonacci number, with F1 = F2 = 1?', expected: '832040', requiredTool: 'javascript', referenceInput: { code: 'let a = 1, b = 1; for (let i = 3; i <= 30; i++) [a, b] = [b, a + b]; b' } },
  { id: 'code-3', category: 'code', question: 'Reverse the string "chainlm agents" and upper-case it.', expected: 'STNEGA MLNIAHC', requiredTool: 'javascript', referenceInput: { code: '"chainlm agents".split("").reverse().join("").toUpperCase()' } },
];

export async function writeToolUseDocs(folder: string): Promise<void> {
  for (const [file, text] of Object.entries(toolUseDocs)) {
    await mkdir(join(folder, file, '..'), { recursive: true });
    await writeFile(join(folder, file), text);
  }
}

const normalize = (text: string) => text.toLowerCase().replace(/(\d),(?=\d{3}\b)/g, '$1');

export interface ToolUseScore {
  id: string;
  category: ToolUseCategory;
  success: boolean;
  answerCorrect: boolean;
  toolUsed: boolean;
  /** Model turns taken. */
  steps: number;
  toolCalls: number;
  stopReason: string;
  answer: string | null;
}

export function scoreToolUseRun(task: ToolUseTask, result: AgentRunResult): ToolUseScore {
  const expected = normalize(task.expected);
  const answerCorrect = result.answer !== null && normalize(result.answer).includes(expected);
  const toolUsed = result.steps.some((step) => step.type === 'observation' && step.tool === task.requiredTool && step.result.ok && normalize(JSON.stringify(step.result.output)).includes(expected));
  return { id: task.id, category: task.category, success: answerCorrect && toolUsed, answerCorrect, toolUsed, steps: result.modelCalls, toolCalls: result.toolCalls, stopReason: result.stopReason, answer: result.answer };
}

export interface ToolUseSummary {
  /** Success rate in [0, 1]. */
  score: number;
  tasks: number;
  meanSteps: number;
  meanToolCalls: number;
  byCategory: Record<ToolUseCategory, { score: number; tasks: number }>;
  details: ToolUseScore[];
}

export function summarizeToolUse(details: ToolUseScore[]): ToolUseSummary {
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
  const byCategory = {} as ToolUseSummary['byCategory'];
  for (const category of ['arithmetic', 'lookup', 'code'] as const) {
    const inCategory = details.filter((detail) => detail.category === category);
    byCategory[category] = { score: mean(inCategory.map((detail) => Number(detail.success))), tasks: inCategory.length };
  }
  return { score: mean(details.map((detail) => Number(detail.success))), tasks: details.length, meanSteps: mean(details.map((detail) => detail.steps)), meanToolCalls: mean(details.map((detail) => detail.toolCalls)), byCategory, details };
}

export interface RunToolUseOptions {
  agent: AgentKind;
  /** A model per task (a live endpoint can return the same instance every time). */
  model: (task: ToolUseTask) => ChatModel;
  /** Must include calculator, doc_search over `toolUseDocs`, and javascript. */
  tools: Tool[];
  tasks?: ToolUseTask[];
  maxSteps?: number;
  onResult?: (score: ToolUseScore, result: AgentRunResult) => void;
}

export async function runToolUseBenchmark(options: RunToolUseOptions): Promise<ToolUseSummary> {
  const details: ToolUseScore[] = [];
  for (const task of options.tasks ?? toolUseTasks) {
    const result = await createAgent(options.agent, { model: options.model(task), tools: options.tools, maxSteps: options.maxSteps ?? 6 }).run(task.question);
    const score = scoreToolUseRun(task, result);
    details.push(score);
    options.onResult?.(score, result);
  }
  return summarizeToolUse(details);
}
