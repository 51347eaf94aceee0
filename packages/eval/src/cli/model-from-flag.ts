/**
 * `--model PATH_OR_URL` of the run shortcut: an http(s) URL is an
 * OpenAI-compatible endpoint (`/v1` added when the URL has no path; the model
 * name from --model-name, else the endpoint's first /models entry); anything
 * else is a local HF checkpoint folder, run in-process through the engine.
 */
import { UsageError } from '@chainlm/core';
import { z } from 'zod';
import { EvalError } from '../errors.js';

export interface ModelFlags {
  model: string;
  modelName?: string;
  mode?: string;
  concurrency?: number;
}

const modelList = z.object({ data: z.array(z.object({ id: z.string() })).min(1) });

export async function modelConfigFromFlag(flags: ModelFlags): Promise<Record<string, unknown>> {
  if (/^https?:\/\//.test(flags.model)) {
    const url = new URL(flags.model);
    const baseUrl = url.pathname === '/' || url.pathname === '' ? `${url.origin}/v1` : flags.model.replace(/\/+$/, '');
    const model = flags.modelName ?? (await firstServedModel(baseUrl));
    if (flags.mode !== undefined && flags.mode !== 'completions' && flags.mode !== 'chat') throw new UsageError(`run: --mode must be completions or chat, got "${flags.mode}"`);
    return { type: 'openai', baseUrl, model, ...(flags.mode ? { mode: flags.mode } : {}), ...(flags.concurrency ? { concurrency: flags.concurrency } : {}) };
  }
  return { type: 'local', path: flags.model };
}

async function firstServedModel(baseUrl: string): Promise<string> {
  let body: unknown;
  try {
    const response = await fetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(10_000) });
    body = await response.json();
  } catch (error) {
    throw new EvalError('eval-model-request', `cannot list the models of ${baseUrl}: ${(error as Error).message}`, 'check the URL, or name the model with --model-name', 1, error);
  }
  const parsed = modelList.safeParse(body);
  if (!parsed.success) throw new EvalError('eval-model-response', `${baseUrl}/models did not list any model`, 'name the model with --model-name', 1);
  return parsed.data.data[0].id;
}
