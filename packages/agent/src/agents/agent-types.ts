/**
 * What every agent shares: the step events it streams (noun-action names, one
 * union), the run result, and the options. A run's transcript holds every model
 * turn (request and response) plus the steps, so it can be saved as JSON and
 * replayed through a ScriptedChatModel.
 */
import type { ChatModel, ChatRequest, ChatResponse } from '../models/chat-model.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { Tool, ToolResult } from '../tools/tool.js';

export const agentKinds = ['react', 'function', 'rewoo'] as const;
export type AgentKind = (typeof agentKinds)[number];

export interface PlannedCall {
  /** Evidence id, e.g. "E1". */
  id: string;
  tool: string;
  input: string;
  reasoning: string;
}

export type AgentStep =
  | { type: 'thought'; step: number; text: string }
  | { type: 'plan'; step: number; calls: PlannedCall[] }
  | { type: 'tool-call'; step: number; callId: string; tool: string; input: unknown }
  | { type: 'observation'; step: number; callId: string; tool: string; result: ToolResult }
  | { type: 'answer'; step: number; text: string }
  | { type: 'error'; step: number; code: string; message: string };

export type StopReason = 'answer' | 'step-limit' | 'error';

export interface TranscriptTurn {
  request: ChatRequest;
  response: ChatResponse;
}

export interface Transcript {
  format: 'chainlm-agent-transcript';
  version: 1;
  agent: AgentKind;
  model: string;
  task: string;
  tools: string[];
  maxSteps: number;
  turns: TranscriptTurn[];
  steps: AgentStep[];
  answer: string | null;
  stopReason: StopReason;
}

export interface AgentRunResult {
  answer: string | null;
  stopReason: StopReason;
  steps: AgentStep[];
  /** Model calls made. */
  modelCalls: number;
  /** Tool calls made (failed ones included). */
  toolCalls: number;
  transcript: Transcript;
}

export interface AgentOptions {
  model: ChatModel;
  tools: Tool[] | ToolRegistry;
  /** Most model turns (ReAct, function) or tool calls (ReWOO) before giving up. Default 8. */
  maxSteps?: number;
  /** Per tool call, milliseconds. Default 30 000. */
  toolTimeoutMs?: number;
  /** Replaces the default instructions (the tool list is still appended where the agent needs it). */
  systemPrompt?: string;
  temperature?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onStep?: (step: AgentStep) => void;
  onTextDelta?: (delta: string) => void;
}

export interface Agent {
  readonly kind: AgentKind;
  run(task: string, options?: RunOptions): Promise<AgentRunResult>;
}
