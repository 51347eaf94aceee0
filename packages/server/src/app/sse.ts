import type { FastifyReply } from 'fastify';

/**
 * Server-sent events in OpenAI's framing: `data: <json>\n\n` per chunk and a final
 * `data: [DONE]\n\n`. The reply is hijacked, so fastify does not also send a body.
 */
export class SseWriter {
  private started = false;

  constructor(private readonly reply: FastifyReply) {}

  get open(): boolean {
    return !this.reply.raw.destroyed && !this.reply.raw.writableEnded;
  }

  send(chunk: unknown): void {
    this.start();
    if (this.open) this.reply.raw.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  done(): void {
    this.start();
    if (this.open) this.reply.raw.end('data: [DONE]\n\n');
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.reply.hijack();
    this.reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
  }
}
