/**
 * Saving, loading and replaying transcripts. A transcript file is JSON (snake_case is
 * not needed: it is our own format, camelCase throughout) validated on load. Replay
 * runs the same agent kind on the same task with a strict ScriptedChatModel fed from
 * the recorded turns; with the same tools it reproduces the same steps, and it fails
 * with `replay-diverged` at the first turn whose prompt differs.
 */
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '@chainlm/core';
import { z } from 'zod';
import { AgentError } from '../errors.js';
import { chatRequestSchema, chatResponseSchema } from '../models/chat-model.js';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import type { Tool } from '../tools/tool.js';
import { agentKinds, type AgentRunResult, type Transcript, type RunOptions } from './agent-types.js';
import { createAgent } from './create-agent.js';

const transcriptSchema = z.object({
  format: z.literal('chainlm-agent-transcript'),
  version: z.literal(1),
  agent: z.enum(agentKinds),
  model: z.string(),
  task: z.string(),
  tools: z.array(z.string()),
  maxSteps: z.number().int().positive(),
  turns: z.array(z.object({ request: chatRequestSchema, response: chatResponseSchema })),
  steps: z.array(z.record(z.string(), z.unknown())),
  answer: z.string().nullable(),
  stopReason: z.enum(['answer', 'step-limit', 'error']),
});

export async function saveTranscript(path: string, transcript: Transcript): Promise<void> {
  await writeJsonAtomic(path, transcript);
}

export function parseTranscript(value: unknown, source = '<transcript>'): Transcript {
  const parsed = transcriptSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentError('transcript-invalid', `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, 'pass a file written by `chainlm-agent run --save-transcript`', 2);
  }
  return parsed.data as unknown as Transcript;
}

export async function loadTranscript(path: string): Promise<Transcript> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AgentError('transcript-unreadable', `cannot read transcript ${path}: ${(error as Error).message}`, 'check the path', 2);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AgentError('transcript-invalid', `${path}: not JSON: ${(error as Error).message}`, 'pass a transcript JSON file', 2);
  }
  return parseTranscript(json, path);
}

export function scriptedModelFromTranscript(transcript: Transcript): ScriptedChatModel {
  return new ScriptedChatModel(transcript.turns, { name: transcript.model, strict: true });
}

/** Re-runs a transcript's task with its recorded model turns and the given tools. */
export async function replayTranscript(transcript: Transcript, tools: Tool[], options: RunOptions & { maxSteps?: number; toolTimeoutMs?: number } = {}): Promise<AgentRunResult> {
  const missing = transcript.tools.filter((name) => !tools.some((tool) => tool.name === name));
  if (missing.length > 0) throw new AgentError('replay-tools-missing', `the transcript used tools that are not given: ${missing.join(', ')}`, 'pass the same --tools as the recorded run', 2);
  const ordered = transcript.tools.map((name) => tools.find((tool) => tool.name === name) as Tool);
  const agent = createAgent(transcript.agent, { model: scriptedModelFromTranscript(transcript), tools: ordered, maxSteps: options.maxSteps ?? transcript.maxSteps, toolTimeoutMs: options.toolTimeoutMs });
  return agent.run(transcript.task, options);
}
