/**
 * The model boundary every agent talks to: messages (and optionally function
 * schemas) in; text and/or tool calls out; text deltas streamed through a callback.
 * Field names are camelCase here; the OpenAI wire names (tool_calls, tool_call_id)
 * appear only in openai-chat-model.ts.
 */
import { z } from 'zod';

export interface ChatToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model wrote them (may be invalid). */
  arguments: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls?: ChatToolCall[];
  /** For role "tool": the id of the call this message answers. */
  toolCallId?: string;
}

export interface FunctionSchema {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: FunctionSchema[];
  stop?: string[];
  temperature?: number;
  maxTokens?: number;
}

export interface ChatResponse {
  text: string;
  toolCalls: ChatToolCall[];
  finishReason: string;
}

export interface ChatOptions {
  signal?: AbortSignal;
  /** Called with each piece of text as it arrives (streaming models); once with the whole text otherwise. */
  onTextDelta?: (delta: string) => void;
}

export interface ChatModel {
  readonly name: string;
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
}

export const chatToolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  toolCalls: z.array(chatToolCallSchema).optional(),
  toolCallId: z.string().optional(),
});
export const chatRequestSchema = z.object({
  messages: z.array(chatMessageSchema),
  tools: z.array(z.object({ name: z.string(), description: z.string(), parameters: z.record(z.string(), z.unknown()) })).optional(),
  stop: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  maxTokens: z.number().optional(),
});
export const chatResponseSchema = z.object({ text: z.string(), toolCalls: z.array(chatToolCallSchema), finishReason: z.string() });
