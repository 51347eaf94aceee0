/**
 * `--model URL|PATH`: an http(s) URL is an OpenAI-compatible endpoint (chainlm-serve,
 * vLLM, OpenAI); a .json PATH is a saved transcript, replayed by a ScriptedChatModel.
 * A model folder is not served in-process: the engine lives behind chainlm-serve.
 */
import { statSync } from 'node:fs';
import type { OptionSpec } from '@chainlm/core';
import { loadTranscript, scriptedModelFromTranscript } from '../agents/transcript.js';
import { AgentError } from '../errors.js';
import type { ChatModel } from '../models/chat-model.js';
import { OpenAICompatibleChatModel } from '../models/openai-chat-model.js';

export const modelFlags = {
  model: { type: 'string', valueName: 'URL|PATH', required: true, description: 'OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1) or a transcript .json to replay' },
  modelName: { type: 'string', valueName: 'NAME', description: 'model name sent to the endpoint' },
  apiKey: { type: 'string', valueName: 'KEY', description: 'bearer key for the endpoint (or CHAINLM_AGENT_API_KEY)' },
  stream: { type: 'boolean', description: 'stream tokens from the endpoint (SSE)' },
} satisfies Record<string, OptionSpec>;

export async function openModel(flags: { model: string; modelName?: string; apiKey?: string; stream?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<ChatModel> {
  if (/^https?:\/\//.test(flags.model)) {
    return new OpenAICompatibleChatModel({ baseUrl: flags.model, model: flags.modelName, apiKey: flags.apiKey ?? env.CHAINLM_AGENT_API_KEY, stream: flags.stream ?? false });
  }
  let isFolder = false;
  try {
    isFolder = statSync(flags.model).isDirectory();
  } catch {
    throw new AgentError('model-not-found', `--model ${flags.model}: no such file, and not an http(s) URL`, 'pass an endpoint URL such as http://127.0.0.1:8000/v1 or a transcript .json', 2);
  }
  if (isFolder) {
    throw new AgentError('model-folder', `--model ${flags.model} is a folder; agents talk to models over HTTP`, `serve it first: \`chainlm-serve ${flags.model}\`, then pass --model http://127.0.0.1:8000/v1`, 2);
  }
  return scriptedModelFromTranscript(await loadTranscript(flags.model));
}
