import { describe, expect, it } from 'vitest';
import { explainAgentError, parseContextOverflow } from './agent-error.js';

// What chainlm-serve answered a 1,779-token ReAct prompt on a 256-token model, as the agent package reports it.
const overflow =
  'model at http://127.0.0.1:45602/v1/chat/completions answered HTTP 400: {"error":{"message":"request \\"req-3\\": the prompt has 1779 tokens; the largest context is 256 tokens (16384 fit in the KV cache, maxModelLen 256)","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}';

describe('explainAgentError', () => {
  it('names the limit and the token counts of a prompt longer than the model context', () => {
    const step = explainAgentError({ type: 'error', step: 1, code: 'model-http', message: overflow }, 128);
    expect(step).toEqual({
      type: 'error',
      step: 1,
      code: 'context_length_exceeded',
      message: "the agent's prompt does not fit: it has 1779 tokens, and the limit is the model's context length (maxModelLen 256 tokens)",
      hint: 'deploy a model trained with a longer context (max_position_embeddings ≥ 1907: the prompt plus 128 max tokens), or pick fewer tools and a shorter task (each tool adds its description to the prompt)',
      detail: overflow,
      status: 400,
      context: { promptTokens: 1779, contextTokens: 256, maxModelLen: 256, kvCacheTokens: 16384, limit: 'maxModelLen' },
    });
  });

  it('says when the KV cache, not the model, is the smaller limit', () => {
    const context = parseContextOverflow('the prompt has 900 tokens; the largest context is 512 tokens (512 fit in the KV cache, maxModelLen 2048)');
    expect(context).toEqual({ promptTokens: 900, contextTokens: 512, maxModelLen: 2048, kvCacheTokens: 512, limit: 'kv-cache' });
    const step = explainAgentError({ type: 'error', step: 3, code: 'model-http', message: `model at U answered HTTP 400: {"error":{"message":"the prompt has 900 tokens; the largest context is 512 tokens (512 fit in the KV cache, maxModelLen 2048)"` }, 64);
    expect(step).toMatchObject({ step: 3, message: "the agent's prompt does not fit: it has 900 tokens, and the limit is the deployment's KV cache, which holds 512 tokens" });
  });

  it('reads the numbers from a reply cut before its JSON ends', () => {
    const cut = overflow.slice(0, 200);
    expect(explainAgentError({ type: 'error', step: 1, code: 'model-http', message: cut }, 128)).toMatchObject({ code: 'context_length_exceeded', context: { promptTokens: 1779, contextTokens: 256 } });
  });

  it('adds a hint to other server refusals and an unreachable model, and leaves other steps alone', () => {
    expect(explainAgentError({ type: 'error', step: 2, code: 'model-http', message: 'model at U answered HTTP 404: {"error":{"code":"model_not_found"}}' }, 128)).toMatchObject({ code: 'model_not_found', status: 404, hint: expect.stringContaining('log') });
    expect(explainAgentError({ type: 'error', step: 1, code: 'model-unreachable', message: 'cannot reach the model' }, 128)).toMatchObject({ hint: expect.stringContaining('Deployments page') });
    const format = { type: 'error', step: 1, code: 'format', message: 'the reply has neither an "Action:" line nor a "Final Answer:" line' };
    expect(explainAgentError(format, 128)).toBe(format);
    const thought = { type: 'thought', step: 1, text: 'hm' };
    expect(explainAgentError(thought, 128)).toBe(thought);
  });
});
