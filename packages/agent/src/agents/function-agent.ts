/**
 * Native function calling: the tools go to the model as OpenAI function schemas; the
 * model answers with `toolCalls` (several per turn allowed, run in order), each result
 * goes back as a `tool` message with its call id, until a turn has no tool calls —
 * that turn's text is the answer. Arguments that are not valid JSON come back to the
 * model as an invalid-input observation.
 */
import { toOpenAIFunctions } from '../adapters/openai-functions.js';
import type { ChatMessage } from '../models/chat-model.js';
import { formatObservation, type ToolResult } from '../tools/tool.js';
import { AgentSession } from './agent-session.js';
import type { Agent, AgentOptions, AgentRunResult, RunOptions } from './agent-types.js';

export const defaultFunctionInstructions = 'You are a helpful assistant. Call the provided functions whenever they help (always use the calculator for arithmetic), then answer the user.';

export class FunctionCallingAgent implements Agent {
  readonly kind = 'function' as const;

  constructor(private readonly options: AgentOptions) {}

  async run(task: string, runOptions: RunOptions = {}): Promise<AgentRunResult> {
    const session = new AgentSession('function', task, this.options, runOptions);
    const tools = toOpenAIFunctions(session.registry.list());
    const messages: ChatMessage[] = [
      { role: 'system', content: this.options.systemPrompt ?? defaultFunctionInstructions },
      { role: 'user', content: task },
    ];
    for (let step = 1; step <= session.maxSteps; step += 1) {
      let response;
      try {
        response = await session.chat({ messages: [...messages], tools });
      } catch (error) {
        return session.fail(step, error);
      }
      if (response.toolCalls.length === 0) return session.answer(step, response.text.trim());
      if (response.text.trim()) session.emit({ type: 'thought', step, text: response.text.trim() });
      messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
      for (const call of response.toolCalls) {
        const parsed = parseArguments(call.arguments);
        const result: ToolResult = parsed.ok ? await session.callTool(step, call.id, call.name, parsed.value) : session.rejectCall(step, call.id, call.name, call.arguments, parsed.failure);
        messages.push({ role: 'tool', toolCallId: call.id, content: formatObservation(result) });
      }
    }
    return session.stepLimit(session.maxSteps);
  }
}

function parseArguments(text: string): { ok: true; value: unknown } | { ok: false; failure: ToolResult } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, failure: { ok: false, error: { code: 'invalid-input', message: `the arguments are not valid JSON: ${(error as Error).message}`, hint: 'send the arguments as one JSON object' } } };
  }
}
