/** One readable line per agent step, for `run` and `chat`. */
import type { AgentStep } from '../agents/agent-types.js';

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);
const show = (value: unknown) => clip(typeof value === 'string' ? value : JSON.stringify(value));

export function formatStep(step: AgentStep): string {
  const prefix = `[${step.step}]`;
  switch (step.type) {
    case 'thought':
      return `${prefix} thought: ${clip(step.text)}`;
    case 'plan':
      return `${prefix} plan: ${step.calls.map((call) => `#${call.id} = ${call.tool}[${clip(call.input, 80)}]`).join('; ') || '(no tool calls)'}`;
    case 'tool-call':
      return `${prefix} → ${step.tool} ${show(step.input)}`;
    case 'observation':
      return step.result.ok ? `${prefix} ← ${step.tool}: ${show(step.result.output)}` : `${prefix} ← ${step.tool} error (${step.result.error.code}): ${clip(step.result.error.message)}`;
    case 'answer':
      return `${prefix} answer: ${step.text}`;
    case 'error':
      return `${prefix} error (${step.code}): ${step.message}`;
  }
}
