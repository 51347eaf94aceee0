/**
 * What a server needs of an engine (types only). Both the in-thread `Engine` and the
 * worker-thread `ReplicaPool` satisfy it, so a server serves through either without
 * knowing which. Requests are fire-and-listen: `addRequest` returns the id at once and
 * every outcome — including a rejection that a replica reports later — arrives as
 * events on `onEvent`, ending with one `request-finish` (its `error`/`errorCode` set
 * when the request failed).
 */
import type { EngineMetrics, GenerateRequest } from './engine/engine.js';
import type { EngineEvent } from './engine/events.js';
import type { MemoryPlan } from './engine/memory-plan.js';
import type { LoraAdapterInput } from './lora/adapter-registry.js';
import type { StepModelShape } from './model-contract.js';

export interface ServingEngine {
  /** The KV memory plan (a pool: each replica's; they are the same). */
  readonly plan: MemoryPlan;
  /** The served model's shape: vocabulary size, EOS ids, heads… */
  readonly model: { readonly config: StepModelShape };
  /** LoRA adapters loaded now. */
  readonly adapterNames: readonly string[];
  /** Queues a request; may throw for input it can check at once (an Engine does; a pool reports on `onEvent`). */
  addRequest(request: GenerateRequest, onEvent: (event: EngineEvent) => void): string;
  /** Stops a request (its KV blocks are freed); unknown or finished ids are ignored. */
  abort(requestId: string): unknown;
  /** Gauges and totals, read synchronously (a pool: a snapshot at most ~250 ms old). */
  metrics(): EngineMetrics;
  /** Loads an adapter (a pool: on every replica, resolved once all have it). */
  loadAdapter(name: string, adapter: LoraAdapterInput): void | Promise<void>;
  /** Unloads an adapter no request is using (throws engine-adapter-busy otherwise). */
  unloadAdapter(name: string): void | Promise<void>;
  /** Aborts what is running and frees everything. */
  close(): Promise<void>;
  /** Worker replicas (a pool only): how many serve now, of how many, and restarts after deaths so far. */
  replicaHealth?(): { live: number; total: number; restarts: number };
}
