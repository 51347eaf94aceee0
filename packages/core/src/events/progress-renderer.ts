/**
 * Renders the event stream for a terminal: one redrawn bar per running task on a
 * TTY (`[#####.....] 52% 5200/10000 rows 1.2k rows/s eta 4s`), and on a pipe or in
 * CI one plain line per task at most every `intervalMs`, so logs stay readable.
 */
import type { ChainlmEvent } from './events.js';

export interface ProgressRendererOptions {
  stream?: NodeJS.WriteStream;
  /** Force TTY mode on or off; default: the stream's own isTTY. */
  tty?: boolean;
  intervalMs?: number;
  width?: number;
}

interface TaskState {
  label: string;
  done: number;
  total?: number;
  unit: string;
  rate?: number;
  message?: string;
  lastPrinted: number;
}

export function createProgressRenderer(options: ProgressRendererOptions = {}): { listener: (event: ChainlmEvent) => void; close: () => void } {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const intervalMs = options.intervalMs ?? (tty ? 100 : 5000);
  const width = options.width ?? 24;
  const tasks = new Map<string, TaskState>();
  let drawnLines = 0;
  let lastDraw = 0;

  const redraw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < intervalMs) return;
    lastDraw = now;
    let out = drawnLines > 0 ? `\x1b[${drawnLines}A` : '';
    for (const state of tasks.values()) out += `\x1b[2K${formatLine(state, width)}\n`;
    drawnLines = tasks.size;
    stream.write(out);
  };

  const printLine = (text: string) => {
    if (tty && drawnLines > 0) {
      stream.write(`\x1b[${drawnLines}A\x1b[0J`);
      drawnLines = 0;
    }
    stream.write(`${text}\n`);
    if (tty) redraw(true);
  };

  const listener = (event: ChainlmEvent) => {
    switch (event.type) {
      case 'task-start':
        tasks.set(event.task, { label: event.label ?? event.task, done: 0, total: event.total, unit: event.unit ?? '', lastPrinted: 0 });
        if (tty) redraw(true);
        break;
      case 'task-progress': {
        const state = tasks.get(event.task);
        if (!state) break;
        Object.assign(state, { done: event.done, total: event.total ?? state.total, rate: event.rate, message: event.message });
        if (tty) redraw(false);
        else if (event.time - state.lastPrinted >= intervalMs) {
          state.lastPrinted = event.time;
          stream.write(`${formatLine(state, width)}\n`);
        }
        break;
      }
      case 'task-done':
      case 'task-error': {
        const state = tasks.get(event.task);
        tasks.delete(event.task);
        if (tty && drawnLines > 0) {
          stream.write(`\x1b[${drawnLines}A\x1b[0J`);
          drawnLines = 0;
        }
        const label = state?.label ?? event.task;
        const count = state && (state.done > 0 || state.total !== undefined) ? ` ${formatCount(state.done)}${state.unit ? ` ${state.unit}` : ''}` : '';
        stream.write(event.type === 'task-done' ? `✔ ${label}${count}\n` : `✖ ${label}: ${event.message}\n`);
        if (tty) redraw(true);
        break;
      }
      case 'log':
        if (event.level !== 'debug') printLine(`${event.level === 'info' ? '' : `${event.level}: `}${event.message}`);
        break;
      case 'metric':
        break;
    }
  };
  return { listener, close: () => tty && drawnLines > 0 && redraw(true) };
}

function formatLine(state: TaskState, width: number): string {
  const unit = state.unit ? ` ${state.unit}` : '';
  const rate = state.rate !== undefined ? ` ${formatCount(state.rate)}${unit}/s` : '';
  const message = state.message ? ` ${state.message}` : '';
  if (state.total === undefined || state.total <= 0) return `${state.label} ${formatCount(state.done)}${unit}${rate}${message}`;
  const fraction = Math.min(1, state.done / state.total);
  const filled = Math.round(fraction * width);
  const eta = state.rate && state.rate > 0 ? ` eta ${formatSeconds((state.total - state.done) / state.rate)}` : '';
  return `${state.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatCount(state.done)}/${formatCount(state.total)}${unit}${rate}${eta}${message}`;
}

export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(abs >= 100 ? 0 : 2);
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
