/**
 * Bridges agent steps onto core's EventBus (the vocabulary CLIs render, servers
 * stream as SSE and the console replays): each step becomes a `log` event of the
 * task, and the run's start and end become task-start / task-done / task-error.
 */
import type { EventBus } from '@chainlm/core';
import type { AgentRunResult, AgentStep } from './agent-types.js';

export function stepsToEvents(bus: EventBus, task: string) {
  bus.emit({ type: 'task-start', task, label: 'agent run' });
  return {
    onStep(step: AgentStep): void {
      const level = step.type === 'error' || (step.type === 'observation' && !step.result.ok) ? 'warn' : 'info';
      bus.emit({ type: 'log', task, level, message: JSON.stringify(step) });
    },
    finish(result: AgentRunResult): void {
      if (result.answer !== null) bus.emit({ type: 'task-done', task, summary: { answer: result.answer, modelCalls: result.modelCalls, toolCalls: result.toolCalls } });
      else bus.emit({ type: 'task-error', task, message: `no answer (${result.stopReason})`, code: result.stopReason });
    },
  };
}
