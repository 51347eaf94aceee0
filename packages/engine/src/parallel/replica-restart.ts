/**
 * Restarting a pool's dead replicas: the restart budget (at most maxRestarts per
 * replica within windowMs, so a replica that dies at every start is given up on, not
 * restarted forever) and bringing a fresh replica's LoRA adapters to the pool's set.
 */
import type { LoraAdapterInput } from '../lora/adapter-registry.js';
import type { FrontMessage, ReplicaMessage } from './replica-messages.js';
import { fromWireError } from './replica-model.js';

export interface RestartPolicy {
  /** Restarts allowed per replica within windowMs (default 3). */
  maxRestarts?: number;
  /** The window the restarts are counted in (default 60 s). */
  windowMs?: number;
}

/** Records a restart in `history` (ms timestamps, pruned to the window) when the budget allows one; else says why not. */
export function claimRestart(history: number[], policy: RestartPolicy, now = Date.now()): { allowed: true } | { allowed: false; why: string } {
  const maxRestarts = policy.maxRestarts ?? 3;
  const windowMs = policy.windowMs ?? 60_000;
  const recent = history.filter((at) => now - at < windowMs);
  history.splice(0, history.length, ...recent);
  if (recent.length >= maxRestarts) return { allowed: false, why: `it was restarted ${recent.length} times in the last ${Math.round(windowMs / 1000)} s` };
  history.push(now);
  return { allowed: true };
}

type DoneMessage = Extract<ReplicaMessage, { type: 'done' }>;
type AdapterOperation = Extract<FrontMessage, { type: 'load-adapter' | 'unload-adapter' }>;

/**
 * Loads and unloads adapters on a fresh replica until its set equals `wanted` (which may
 * change while it works). Resolves true when they match, false when `stopped()` turned
 * true (the worker died or the pool closed); a refused load throws its error.
 */
export async function syncAdapters(wanted: ReadonlyMap<string, LoraAdapterInput>, send: (message: AdapterOperation) => Promise<DoneMessage>, stopped: () => boolean): Promise<boolean> {
  const loaded = new Set<string>();
  for (;;) {
    if (stopped()) return false;
    const missing = [...wanted].find(([name]) => !loaded.has(name));
    const extra = [...loaded].find((name) => !wanted.has(name));
    if (missing) {
      const result = await send({ type: 'load-adapter', operation: 0, name: missing[0], adapter: missing[1] });
      if (result.error && !stopped()) throw fromWireError(result.error);
      loaded.add(missing[0]);
    } else if (extra !== undefined) {
      await send({ type: 'unload-adapter', operation: 0, name: extra });
      loaded.delete(extra);
    } else {
      return true;
    }
  }
}
