/**
 * One event vocabulary for long work, shared by every package. A task emits
 * `task-start`, any number of `task-progress`, `metric` and `log` events, then
 * `task-done` or `task-error`. CLIs render them as progress bars
 * (progress-renderer.ts); servers stream them as SSE (sse.ts); runs append them to
 * JSONL so the console can replay them.
 */
export type ChainlmEvent =
  | { type: 'task-start'; task: string; label?: string; total?: number; unit?: string; time: number }
  | { type: 'task-progress'; task: string; done: number; total?: number; unit?: string; rate?: number; message?: string; time: number }
  | { type: 'metric'; task?: string; name: string; value: number; step?: number; time: number }
  | { type: 'log'; task?: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string; time: number }
  | { type: 'task-done'; task: string; summary?: Record<string, unknown>; time: number }
  | { type: 'task-error'; task: string; message: string; code?: string; time: number };

export type ChainlmEventType = ChainlmEvent['type'];
export type EventListener = (event: ChainlmEvent) => void;

/** Distributive Omit, so each member of the union keeps its own fields. */
type WithoutTime<E> = E extends unknown ? Omit<E, 'time'> : never;
export type EventInput = WithoutTime<ChainlmEvent>;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EventInput): void {
    const stamped = { ...event, time: Date.now() } as ChainlmEvent;
    for (const listener of this.listeners) listener(stamped);
  }

  /** A handle for one task that fills in its name and computes rates. */
  task(task: string, options: { label?: string; total?: number; unit?: string } = {}): TaskHandle {
    return new TaskHandle(this, task, options);
  }
}

export class TaskHandle {
  private readonly startedAt = Date.now();
  private done = 0;

  constructor(
    private readonly bus: EventBus,
    readonly task: string,
    private readonly options: { label?: string; total?: number; unit?: string },
  ) {
    bus.emit({ type: 'task-start', task, ...options });
  }

  /** Adds `increment` to the count done; `rate` is units per second since the start. */
  advance(increment = 1, message?: string): void {
    this.update(this.done + increment, message);
  }

  update(done: number, message?: string): void {
    this.done = done;
    const seconds = (Date.now() - this.startedAt) / 1000;
    this.bus.emit({
      type: 'task-progress',
      task: this.task,
      done,
      total: this.options.total,
      unit: this.options.unit,
      rate: seconds > 0 ? done / seconds : undefined,
      message,
    });
  }

  metric(name: string, value: number, step?: number): void {
    this.bus.emit({ type: 'metric', task: this.task, name, value, step });
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.bus.emit({ type: 'log', task: this.task, level, message });
  }

  finish(summary?: Record<string, unknown>): void {
    this.bus.emit({ type: 'task-done', task: this.task, summary });
  }

  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    this.bus.emit({ type: 'task-error', task: this.task, message, code: typeof code === 'string' ? code : undefined });
  }
}
