import type { ChainlmEvent } from './events.js';

/** One Server-Sent Events frame for an event (`event:` = its type, `data:` = JSON). */
export function toSseFrame(event: ChainlmEvent, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** One JSON line per event, for run folders the console replays. */
export function toJsonLine(event: ChainlmEvent): string {
  return `${JSON.stringify(event)}\n`;
}
