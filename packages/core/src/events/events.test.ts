import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventBus, type ChainlmEvent } from './events.js';
import { createProgressRenderer, formatCount, formatSeconds } from './progress-renderer.js';
import { toSseFrame } from './sse.js';

describe('EventBus', () => {
  it('emits a task lifecycle with counts and rates', () => {
    const bus = new EventBus();
    const seen: ChainlmEvent[] = [];
    bus.on((event) => seen.push(event));
    const task = bus.task('ingest', { total: 10, unit: 'rows' });
    task.advance(4);
    task.metric('loss', 2.5, 1);
    task.finish({ ok: 4 });
    expect(seen.map((event) => event.type)).toEqual(['task-start', 'task-progress', 'metric', 'task-done']);
    expect(seen[1]).toMatchObject({ task: 'ingest', done: 4, total: 10, unit: 'rows' });
  });

  it('serialises events as SSE frames', () => {
    const frame = toSseFrame({ type: 'metric', name: 'loss', value: 1, time: 5 }, 3);
    expect(frame).toBe('id: 3\nevent: metric\ndata: {"type":"metric","name":"loss","value":1,"time":5}\n\n');
  });
});

describe('progress renderer', () => {
  it('prints plain lines when not on a TTY', () => {
    let out = '';
    const stream = new Writable({ write: (chunk, _e, callback) => ((out += String(chunk)), callback()) }) as unknown as NodeJS.WriteStream;
    const bus = new EventBus();
    const renderer = createProgressRenderer({ stream, tty: false, intervalMs: 0 });
    bus.on(renderer.listener);
    const task = bus.task('tok', { label: 'tokenize', total: 100, unit: 'docs' });
    task.update(50);
    task.finish();
    expect(out).toMatch(/tokenize \[#{12}\.{12}\]  50% 50\/100 docs/);
    expect(out).toMatch(/✔ tokenize 50 docs\n$/);
  });

  it('formats counts and durations', () => {
    expect(formatCount(1234567)).toBe('1.23M');
    expect(formatCount(12345)).toBe('12.3k');
    expect(formatSeconds(75)).toBe('1m15s');
  });
});
