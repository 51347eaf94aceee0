/**
 * ReWOO (Xu et al., 2023), plan-then-execute: one planner call writes the whole plan
 * as `Plan:` lines and evidence lines `#E1 = tool[input]` (inputs may cite earlier
 * evidence as #E1…); the worker runs the calls in order, substituting evidence
 * (inside JSON string values when the input is JSON, so quoting stays valid); one
 * solver call turns plan + evidence into the answer. Two model calls per task no
 * matter how many tools run. `maxSteps` caps the number of planned tool calls.
 */
import type { ChatMessage } from '../models/chat-model.js';
import { formatObservation, toolInputJsonSchema, type ToolResult } from '../tools/tool.js';
import { AgentSession, describeTools } from './agent-session.js';
import type { Agent, AgentOptions, AgentRunResult, PlannedCall, RunOptions } from './agent-types.js';

export const defaultPlannerInstructions = 'Make a plan that solves the task step by step with the tools (always use the calculator for arithmetic).';

const evidenceLine = /^\s*#(E\d+)\s*=\s*([A-Za-z][\w-]*)\s*\[(.*?)\]?\s*$/;

export function parsePlan(text: string): PlannedCall[] {
  const calls: PlannedCall[] = [];
  let reasoning: string[] = [];
  for (const line of text.split('\n')) {
    const evidence = evidenceLine.exec(line);
    if (evidence) {
      if (!calls.some((call) => call.id === evidence[1])) calls.push({ id: evidence[1], tool: evidence[2], input: evidence[3].trim(), reasoning: reasoning.join(' ') });
      reasoning = [];
      continue;
    }
    const plan = /^\s*(?:\*\*)?plan(?:\s*\d+)?(?:\*\*)?\s*:\s*(.*)$/i.exec(line);
    if (plan) reasoning.push(plan[1].trim());
  }
  return calls;
}

/** Replaces #E<n> references with evidence text; inside JSON, only within string values. */
export function substituteEvidence(input: string, evidence: Map<string, string>): string {
  const replace = (text: string) => text.replace(/#(E\d+)\b/g, (whole, id: string) => evidence.get(id) ?? whole);
  const trimmed = input.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const walk = (value: unknown): unknown =>
        typeof value === 'string' ? replace(value) : Array.isArray(value) ? value.map(walk) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)])) : value;
      return JSON.stringify(walk(JSON.parse(trimmed)));
    } catch {
      // not JSON: plain substitution below
    }
  }
  return replace(input);
}

/** Evidence as later inputs cite it: a tool's scalar `result` when it has one (84, not {"result":"84"}). */
export function evidenceText(result: ToolResult): string {
  if (result.ok && result.output && typeof result.output === 'object' && 'result' in result.output) {
    const value = (result.output as { result: unknown }).result;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return formatObservation(result);
}

export class ReWOOAgent implements Agent {
  readonly kind = 'rewoo' as const;

  constructor(private readonly options: AgentOptions) {}

  async run(task: string, runOptions: RunOptions = {}): Promise<AgentRunResult> {
    const session = new AgentSession('rewoo', task, this.options, runOptions);
    const registry = session.registry;
    const tools = describeTools(registry, (name) => toolInputJsonSchema(registry.get(name)));
    let planText: string;
    try {
      planText = (await session.chat({ messages: plannerMessages(this.options.systemPrompt ?? defaultPlannerInstructions, tools, task) })).text;
    } catch (error) {
      return session.fail(1, error);
    }
    const calls = parsePlan(planText);
    session.emit({ type: 'plan', step: 1, calls });
    if (calls.length > session.maxSteps) return session.stepLimit(1);
    const evidence = new Map<string, string>();
    for (const [index, call] of calls.entries()) {
      const result = await session.callTool(index + 2, call.id, call.tool, substituteEvidence(call.input, evidence));
      evidence.set(call.id, evidenceText(result));
    }
    const solveStep = calls.length + 2;
    try {
      const solved = await session.chat({ messages: solverMessages(task, planText, calls, evidence) });
      return session.answer(solveStep, solved.text.replace(/^[\s\S]*?final answer\s*:\s*/i, '').trim());
    } catch (error) {
      return session.fail(solveStep, error);
    }
  }
}

function plannerMessages(instructions: string, tools: string, task: string): ChatMessage[] {
  const system = [
    instructions,
    'For each step write a "Plan:" line with your reasoning, then one evidence line "#E<n> = <tool>[<input>]".',
    'The input is a JSON object for the tool and may cite earlier evidence as #E1, #E2, ...',
    'Tools:',
    tools,
    'Example:',
    'Plan: Multiply the two numbers.',
    '#E1 = calculator[{"expression": "12 * 34"}]',
    'Write only the plan.',
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Task: ${task}` },
  ];
}

function solverMessages(task: string, planText: string, calls: PlannedCall[], evidence: Map<string, string>): ChatMessage[] {
  const worked = calls.map((call) => `Plan: ${call.reasoning}\n#${call.id} = ${call.tool}[${call.input}]\nEvidence: ${evidence.get(call.id) ?? '(not run)'}`).join('\n');
  return [
    { role: 'system', content: 'Solve the task with the plan and the evidence gathered. If evidence is an error, say what is missing. Reply with the final answer only.' },
    { role: 'user', content: `Task: ${task}\n\n${calls.length > 0 ? worked : `Plan:\n${planText}`}\n\nAnswer:` },
  ];
}
