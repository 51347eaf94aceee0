/**
 * Makes an agent's error step say what went wrong in the console's words. The
 * agent package reports a failed model call as `model-http` with the server's
 * reply quoted in the message (`model at URL answered HTTP 400: {"error": …}`,
 * the body cut at 300 characters, so it may not parse as JSON); the numbers are
 * read from the text itself. A prompt longer than the context is the usual case
 * with tiny models: the step then names the limit that stopped it (the model's
 * context, maxModelLen, or the KV cache), the prompt's and the limit's tokens,
 * and what to change.
 */

export interface ContextOverflow {
  promptTokens: number;
  /** The largest context a request may use: min(maxModelLen, KV cache tokens). */
  contextTokens: number;
  maxModelLen: number | null;
  kvCacheTokens: number | null;
  /** Which limit is the smaller one. */
  limit: 'maxModelLen' | 'kv-cache';
}

export interface AgentErrorStep {
  type: 'error';
  step: number;
  code: string;
  message: string;
  hint?: string;
  /** The agent's own message, kept when `message` was rewritten. */
  detail?: string;
  /** HTTP status of the model server's refusal. */
  status?: number;
  context?: ContextOverflow;
}

const overflowPattern = /the prompt has (\d+) tokens; the largest context is (\d+) tokens(?: \((\d+) fit in the KV cache, maxModelLen (\d+)\))?/;

export function parseContextOverflow(text: string): ContextOverflow | undefined {
  const match = overflowPattern.exec(text);
  if (!match) return undefined;
  const [promptTokens, contextTokens] = [Number(match[1]), Number(match[2])];
  const kvCacheTokens = match[3] === undefined ? null : Number(match[3]);
  const maxModelLen = match[4] === undefined ? null : Number(match[4]);
  const limit = kvCacheTokens !== null && maxModelLen !== null && kvCacheTokens < maxModelLen ? 'kv-cache' : 'maxModelLen';
  return { promptTokens, contextTokens, maxModelLen, kvCacheTokens, limit };
}

/** Rewrites an error step when its cause is known; other steps pass unchanged. */
export function explainAgentError<S extends { type: string; step: number }>(step: S, maxTokens: number): S | AgentErrorStep {
  if (step.type !== 'error') return step;
  const { code, message } = step as unknown as { code: string; message: string };
  const http = /answered HTTP (\d{3}): ([\s\S]*)$/.exec(message);
  const status = http ? Number(http[1]) : undefined;
  const upstreamCode = http ? /"code"\s*:\s*"([A-Za-z0-9_.-]+)"/.exec(http[2])?.[1] : undefined;
  const context = parseContextOverflow(message);
  if (context) {
    const where = context.limit === 'kv-cache' ? `the deployment's KV cache, which holds ${context.kvCacheTokens} tokens` : `the model's context length (maxModelLen ${context.maxModelLen ?? context.contextTokens} tokens)`;
    return {
      type: 'error',
      step: step.step,
      code: upstreamCode ?? 'context_length_exceeded',
      message: `the agent's prompt does not fit: it has ${context.promptTokens} tokens, and the limit is ${where}`,
      hint:
        context.limit === 'kv-cache'
          ? 'redeploy with a larger KV cache (chainlm-serve --cache-max-entry-count), pick fewer tools or shorten the task'
          : `deploy a model trained with a longer context (max_position_embeddings ≥ ${context.promptTokens + maxTokens}: the prompt plus ${maxTokens} max tokens), or pick fewer tools and a shorter task (each tool adds its description to the prompt)`,
      detail: message,
      ...(status === undefined ? {} : { status }),
      context,
    };
  }
  if (code === 'model-unreachable') {
    return { type: 'error', step: step.step, code, message, hint: 'the deployment is not answering: see its status and log on the Deployments page' };
  }
  if (http) {
    return { type: 'error', step: step.step, code: upstreamCode ?? code, message, hint: 'the model server refused the request: its log on the Deployments page says why', status };
  }
  return step;
}
