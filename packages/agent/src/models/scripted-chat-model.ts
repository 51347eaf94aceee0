/**
 * A ChatModel that replays recorded responses in order — the test double at the
 * model boundary, and the engine of transcript replay. In strict mode each request
 * must equal the recorded one (same messages, tools, stop), so a replay that takes a
 * different path (a changed prompt, a tool that now answers differently) fails
 * loudly at the first divergent turn instead of silently producing another run.
 */
import { stableStringify } from '@chainlm/core';
import { AgentError } from '../errors.js';
import type { ChatModel, ChatOptions, ChatRequest, ChatResponse } from './chat-model.js';

export interface ScriptedTurn {
  /** The request the model is expected to receive (checked in strict mode). */
  request?: ChatRequest;
  response: ChatResponse;
}

export interface ScriptedChatModelOptions {
  name?: string;
  /** Compare each incoming request with the recorded one (default: true when requests are recorded). */
  strict?: boolean;
  /** Characters per streamed delta (default 16), to exercise streaming consumers. */
  deltaChars?: number;
}

export class ScriptedChatModel implements ChatModel {
  readonly name: string;
  private readonly turns: ScriptedTurn[];
  private next = 0;
  private readonly strict: boolean;
  private readonly deltaChars: number;
  /** Requests received so far, for tests and debugging. */
  readonly received: ChatRequest[] = [];

  constructor(turns: (ScriptedTurn | ChatResponse | string)[], options: ScriptedChatModelOptions = {}) {
    this.turns = turns.map((turn) => (typeof turn === 'string' ? { response: { text: turn, toolCalls: [], finishReason: 'stop' } } : 'response' in turn ? turn : { response: turn }));
    this.name = options.name ?? 'scripted';
    this.strict = options.strict ?? this.turns.every((turn) => turn.request !== undefined);
    this.deltaChars = options.deltaChars ?? 16;
  }

  /** Turns left to replay. */
  get remaining(): number {
    return this.turns.length - this.next;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    this.received.push(request);
    const index = this.next;
    const turn = this.turns[index];
    if (!turn) {
      throw new AgentError('script-exhausted', `scripted model "${this.name}" has no response for turn ${index + 1} (it holds ${this.turns.length})`, 'record a longer transcript or lower the step limit');
    }
    if (this.strict && turn.request) assertSameRequest(turn.request, request, index, this.name);
    this.next += 1;
    if (options.onTextDelta) {
      for (let at = 0; at < turn.response.text.length; at += this.deltaChars) options.onTextDelta(turn.response.text.slice(at, at + this.deltaChars));
    }
    return structuredClone(turn.response);
  }
}

function assertSameRequest(expected: ChatRequest, actual: ChatRequest, index: number, name: string): void {
  // JSON round trip first: a recorded transcript has no `undefined` fields, a live request may.
  const canonical = (value: unknown) => stableStringify(value === undefined ? null : JSON.parse(JSON.stringify(value)));
  const comparable = (request: ChatRequest) => ({ messages: request.messages, tools: request.tools ?? [], stop: request.stop ?? [] });
  if (canonical(comparable(expected)) === canonical(comparable(actual))) return;
  const at = expected.messages.findIndex((message, position) => canonical(message) !== canonical(actual.messages[position]));
  const where = at >= 0 ? `message ${at + 1} (${expected.messages[at].role})` : expected.messages.length !== actual.messages.length ? `message count ${actual.messages.length} vs ${expected.messages.length}` : 'tools or stop sequences';
  const got = at >= 0 ? JSON.stringify(actual.messages[at]?.content ?? null).slice(0, 160) : '';
  throw new AgentError('replay-diverged', `replay of "${name}" diverged at turn ${index + 1}, ${where}${got ? `: got ${got}` : ''}`, 'the prompt, tools or a tool result changed since the transcript was recorded');
}
