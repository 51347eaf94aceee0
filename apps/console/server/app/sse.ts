/**
 * Server-Sent Events on a fastify reply: the reply is hijacked and written raw.
 * A comment line every 15 s keeps proxies from closing an idle stream; `closed`
 * resolves when the client goes away, so producers stop polling.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseStream {
  send(event: string, data: unknown, id?: number): void;
  end(): void;
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

export function openSse(request: FastifyRequest, reply: FastifyReply): SseStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write(': stream open\n\n');
  let closed = false;
  let markClosed!: () => void;
  const closedPromise = new Promise<void>((resolveClosed) => (markClosed = resolveClosed));
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    markClosed();
  };
  request.raw.on('close', finish);
  raw.on('close', finish);
  return {
    send(event, data, id) {
      if (closed) return;
      raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (!closed) raw.end();
      finish();
    },
    closed: closedPromise,
    isClosed: () => closed,
  };
}

/** Resolves after `ms`, or at once when the stream closes. */
export function pause(stream: SseStream, ms: number): Promise<void> {
  return Promise.race([new Promise<void>((resolveWait) => setTimeout(resolveWait, ms).unref()), stream.closed]);
}
