/**
 * One run's bookkeeping, shared by the three agents: numbering steps, streaming them,
 * recording model turns for the transcript, calling tools by name with the time
 * limit, and turning a thrown model error into an `error` step (a failed run returns
 * a result; it does not throw).
 */
import { ChainlmError } from '@chainlm/core';
import type { ChatRequest, ChatResponse } from '../models/chat-model.js';
import { ToolRegistry } from '../tools/registry.js';
import { invokeTool, type ToolResult } from '../tools/tool.js';
import type { AgentKind, AgentOptions, AgentRunResult, AgentStep, RunOptions, StopReason, TranscriptTurn } from './agent-types.js';

export class AgentSession {
  readonly registry: ToolRegistry;
  readonly maxSteps: number;
  readonly steps: AgentStep[] = [];
  private readonly turns: TranscriptTurn[] = [];
  private toolCallCount = 0;

  constructor(
    readonly kind: AgentKind,
    readonly task: string,
    readonly options: AgentOptions,
    readonly runOptions: RunOptions,
  ) {
    this.registry = options.tools instanceof ToolRegistry ? options.tools : new ToolRegistry(options.tools);
    this.maxSteps = options.maxSteps ?? 8;
  }

  emit(step: AgentStep): void {
    this.steps.push(step);
    this.runOptions.onStep?.(step);
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const withTemperature = this.options.temperature === undefined ? request : { ...request, temperature: this.options.temperature };
    const response = await this.options.model.chat(withTemperature, { signal: this.runOptions.signal, onTextDelta: this.runOptions.onTextDelta });
    this.turns.push({ request: structuredClone(withTemperature), response: structuredClone(response) });
    return response;
  }

  /** Calls a tool by name; an unknown name or bad input becomes an error result the model sees. */
  async callTool(step: number, callId: string, name: string, input: unknown): Promise<ToolResult> {
    this.toolCallCount += 1;
    this.emit({ type: 'tool-call', step, callId, tool: name, input });
    const tool = this.registry.find(name);
    const result: ToolResult = tool
      ? await invokeTool(tool, input, { timeoutMs: this.options.toolTimeoutMs, signal: this.runOptions.signal })
      : { ok: false, error: { code: 'unknown-tool', message: `there is no tool named "${name}"`, hint: `use one of: ${this.registry.names().join(', ')}` } };
    this.emit({ type: 'observation', step, callId, tool: name, result });
    return result;
  }

  /** Records a call that never reached the tool (e.g. unparsable arguments) with its error result. */
  rejectCall(step: number, callId: string, name: string, input: unknown, result: ToolResult): ToolResult {
    this.toolCallCount += 1;
    this.emit({ type: 'tool-call', step, callId, tool: name, input });
    this.emit({ type: 'observation', step, callId, tool: name, result });
    return result;
  }

  fail(step: number, error: unknown): AgentRunResult {
    const code = error instanceof ChainlmError ? error.code : 'model-error';
    this.emit({ type: 'error', step, code, message: error instanceof Error ? error.message : String(error) });
    return this.finish(null, 'error');
  }

  stepLimit(step: number): AgentRunResult {
    this.emit({ type: 'error', step, code: 'step-limit', message: `no final answer after ${this.maxSteps} steps` });
    return this.finish(null, 'step-limit');
  }

  answer(step: number, text: string): AgentRunResult {
    this.emit({ type: 'answer', step, text });
    return this.finish(text, 'answer');
  }

  private finish(answer: string | null, stopReason: StopReason): AgentRunResult {
    return {
      answer,
      stopReason,
      steps: this.steps,
      modelCalls: this.turns.length,
      toolCalls: this.toolCallCount,
      transcript: {
        format: 'chainlm-agent-transcript',
        version: 1,
        agent: this.kind,
        model: this.options.model.name,
        task: this.task,
        tools: this.registry.names(),
        maxSteps: this.maxSteps,
        turns: this.turns,
        steps: this.steps,
        answer,
        stopReason,
      },
    };
  }
}

/** One line per tool for prompts: name, description, input JSON Schema. */
export function describeTools(registry: ToolRegistry, schemaOf: (name: string) => unknown): string {
  return registry
    .list()
    .map((tool) => `${tool.name}: ${tool.description} Input: ${JSON.stringify(schemaOf(tool.name))}`)
    .join('\n');
}
