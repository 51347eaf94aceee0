/**
 * Recorded reference solutions of the tool-use benchmark, one per agent protocol:
 * what a competent model replies, as ScriptedChatModel turns. They let every agent
 * type run the benchmark end to end without a live model (tests, the bench script),
 * and serve as few-shot examples of each protocol's format.
 */
import type { AgentKind } from '../agents/agent-types.js';
import type { ChatResponse } from '../models/chat-model.js';
import type { ScriptedTurn } from '../models/scripted-chat-model.js';
import type { ToolUseTask } from './tool-use-benchmark.js';

export function referenceScript(kind: AgentKind, task: ToolUseTask): (ScriptedTurn | ChatResponse | string)[] {
  const input = JSON.stringify(task.referenceInput);
  const answer = `The answer is ${task.expected}.`;
  switch (kind) {
    case 'react':
      return [`Thought: I should use ${task.requiredTool} for this.\nAction: ${task.requiredTool}\nAction Input: ${input}`, `Thought: The observation gives the answer.\nFinal Answer: ${answer}`];
    case 'function':
      return [{ text: '', toolCalls: [{ id: `call_${task.id}`, name: task.requiredTool, arguments: input }], finishReason: 'tool_calls' }, { text: answer, toolCalls: [], finishReason: 'stop' }];
    case 'rewoo':
      return [`Plan: Use ${task.requiredTool}.\n#E1 = ${task.requiredTool}[${input}]`, answer];
  }
}
