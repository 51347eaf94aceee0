/**
 * Runs one engine request for an HTTP request: forwards text deltas, cancels the
 * engine request when the client disconnects (its KV blocks are freed at once) or
 * the server's request timeout passes, and resolves with the finish event. A request
 * the engine refuses — at once (an in-thread Engine throws) or in its finish event (a
 * replica reports it) — becomes the same API error either way.
 */
import type { FastifyReply } from 'fastify';
import type { EngineEvent, GenerateRequest, RequestFinishEvent, ServingEngine, TextDeltaEvent } from '@chainlm/engine';
import { ApiError } from '../openai/errors.js';
import { engineApiError } from '../openai/engine-errors.js';

export interface RunOptions {
  reply: FastifyReply;
  timeoutMs: number;
  onDelta?: (event: TextDeltaEvent) => void;
}

export async function runEngineRequest(engine: ServingEngine, request: GenerateRequest, options: RunOptions): Promise<RequestFinishEvent> {
  let finish: RequestFinishEvent | undefined;
  let timedOut = false;
  let requestId: string | undefined;
  const onClose = () => {
    if (!finish && requestId !== undefined) engine.abort(requestId);
  };
  const result = new Promise<RequestFinishEvent>((resolve) => {
    requestId = engine.addRequest(request, (event: EngineEvent) => {
      if (event.type === 'text-delta') options.onDelta?.(event);
      else {
        finish = event;
        resolve(event);
      }
    });
  });
  options.reply.raw.on('close', onClose);
  const timer = setTimeout(() => {
    timedOut = true;
    if (requestId !== undefined) engine.abort(requestId);
  }, options.timeoutMs);
  try {
    const event = await result;
    if (timedOut) throw new ApiError('timeout', `the request took longer than the server's ${options.timeoutMs} ms limit`);
    if (event.error !== undefined) throw engineApiError(event.errorCode ?? 'engine-failed', event.error); // as an in-thread engine's exception would have become
    return event;
  } finally {
    clearTimeout(timer);
    options.reply.raw.off('close', onClose);
  }
}
