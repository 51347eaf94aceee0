/**
 * The wire protocol between a serving worker (`chainlm-serve MODEL --proxy-url …`) and
 * `chainlm-serve proxy`, defined once here and parsed on both sides:
 *
 *   POST   /workers/register        RegisterBody  → RegisterReply   (201)
 *   POST   /workers/:id/heartbeat   HeartbeatBody → HeartbeatReply  (404: unknown id → register again)
 *   DELETE /workers/:id                           → 204
 *   GET    /workers                               → { workers: WorkerView[] }
 *
 * Field names are snake_case, as on the rest of the OpenAI-shaped wire.
 */
import { z } from 'zod';

/** Requests a worker holds now: computing, and queued for a slot (the engine's gauges, summed over its models). */
export const workerLoadSchema = z.strictObject({
  running: z.number().int().nonnegative(),
  waiting: z.number().int().nonnegative(),
});

/**
 * One entry of the worker's own `GET /v1/models` answer, forwarded as is to the proxy's
 * clients. Loose on purpose: `id` is all the proxy reads, and a field the server adds to
 * its model cards later must not break registration.
 */
export const modelCardSchema = z.looseObject({ id: z.string().min(1).max(256) });

/** The address the proxy calls back: http(s) only, no credentials, query or fragment. */
export const advertisedUrlSchema = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials, query or fragment, e.g. http://10.0.0.7:23333')
  .transform((text) => text.replace(/\/+$/, ''));

export const registerBodySchema = z.strictObject({
  url: advertisedUrlSchema,
  models: z.array(modelCardSchema).min(1).max(1024),
  /** Requests the worker takes in flight before it answers 429 (its --max-queue). */
  capacity: z.number().int().positive(),
  load: workerLoadSchema,
  /** How often the worker will heartbeat, for GET /workers and the timeout warning. */
  heartbeat_interval_ms: z.number().int().positive(),
});

export const heartbeatBodySchema = z.strictObject({
  load: workerLoadSchema,
  /** The served names now (LoRA adapters load and unload at run time). */
  models: z.array(modelCardSchema).min(1).max(1024),
});

export type WorkerLoad = z.infer<typeof workerLoadSchema>;
export type ModelCard = z.infer<typeof modelCardSchema>;
export type RegisterBody = z.input<typeof registerBodySchema>;
export type HeartbeatBody = z.input<typeof heartbeatBodySchema>;
/** A registration as the proxy holds it once parsed (URL without trailing slashes). */
export type ParsedRegisterBody = z.output<typeof registerBodySchema>;

/** `live`: routed to. `unreachable`: a routed request could not connect; not routed again until its next heartbeat. */
export type WorkerStateName = 'live' | 'unreachable';

export interface RegisterReply {
  id: string;
  /** A worker silent for this long is dropped (it must register again). */
  heartbeat_timeout_ms: number;
}

export interface HeartbeatReply {
  /** The worker's state as this heartbeat found it (`unreachable`: routed requests failed to connect since the last one). */
  state: WorkerStateName;
  /** Why the proxy last failed to reach the worker (so a wrong --advertise-url shows in the worker's log). */
  last_error: string | null;
}

/** One row of GET /workers. */
export interface WorkerView {
  id: string;
  url: string;
  models: string[];
  capacity: number;
  load: WorkerLoad;
  /** Requests this proxy has in flight to the worker now. */
  outstanding: number;
  served: number;
  failures: number;
  state: WorkerStateName;
  last_error: string | null;
  registered_at: string;
  last_heartbeat: string;
  heartbeat_interval_ms: number;
}
