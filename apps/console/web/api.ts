/**
 * The browser side of the console API. The session cookie (set when the page was
 * opened with ?token=) rides along on every same-origin request; errors come back
 * as `{ error: { code, message, hint } }` and are thrown as ApiError.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { EventSourceParserStream } from 'eventsource-parser/stream';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code: string; message: string; hint?: string } };
    if (body.error) return new ApiError(body.error.message, body.error.code, response.status, body.error.hint);
  } catch {
    // not JSON
  }
  return new ApiError(`${response.status} ${response.statusText}`, 'http', response.status);
}

export async function api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await fetch(path, {
    method: init?.method ?? (init?.body === undefined ? 'GET' : 'POST'),
    headers: init?.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  if (!response.ok) throw await toApiError(response);
  return (await response.json()) as T;
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null = nothing to load) and again on reload() or when path changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return setState({ loading: false });
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    api<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Subscribes to an SSE URL (null = none); handlers by event name. Reconnects as EventSource does. */
export function useEventSource(url: string | null, handlers: Record<string, (data: any) => void>): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (url === null) return;
    const source = new EventSource(url);
    for (const name of Object.keys(ref.current)) {
      source.addEventListener(name, (event) => ref.current[name]?.(JSON.parse((event as MessageEvent<string>).data)));
    }
    return () => source.close();
  }, [url]);
}

/** POSTs and reads a text/event-stream response, calling onEvent(event, data) per frame (event "message" when unnamed). */
export async function postStream(path: string, body: unknown, onEvent: (event: string, data: string) => void, signal?: AbortSignal): Promise<void> {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal, credentials: 'same-origin' });
  if (!response.ok) throw await toApiError(response);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (value.data) onEvent(value.event ?? 'message', value.data);
  }
}
