import type { RequestMetrics } from '@chainlm/engine';
import { ApiError } from '../openai/errors.js';
import type { ServedModel } from './served-model.js';

/** What every route needs: the served models, their adapters and the server's limits. */
export interface ServerContext {
  /** Base models by id (each with its own engine). */
  models: ReadonlyMap<string, ServedModel>;
  /** LoRA adapters by name, each served on its parent's engine. */
  adapters: Map<string, ServedModel>;
  /** The served model or adapter named by a request's `model` field (404 if none). */
  model(name: string | null | undefined): ServedModel;
  defaults: { maxTokens: number };
  requestTimeoutMs: number;
  /** The folder run-time adapter loads must come from (real path); none: loads are refused. */
  adapterRoot: string | undefined;
  /** Called with each finished request's metrics (the /metrics histograms). */
  observe(model: string, metrics: RequestMetrics): void;
  /** Called when a served name goes away (an unloaded adapter): its metric label sets go too. */
  forget(model: string): void;
}

export function createContext(
  models: ServedModel[],
  options: { maxTokens: number; requestTimeoutMs: number; adapterRoot?: string; observe?: (model: string, metrics: RequestMetrics) => void; forget?: (model: string) => void },
): ServerContext {
  const byId = new Map(models.map((model) => [model.id, model]));
  const adapters = new Map<string, ServedModel>();
  return {
    models: byId,
    adapters,
    defaults: { maxTokens: options.maxTokens },
    requestTimeoutMs: options.requestTimeoutMs,
    adapterRoot: options.adapterRoot,
    observe: (model, metrics) => options.observe?.(model, metrics),
    forget: (model) => options.forget?.(model),
    model(name) {
      const found = name ? (byId.get(name) ?? adapters.get(name)) : models[0];
      if (!found) {
        const available = [...byId.keys(), ...adapters.keys()].join(', ');
        throw new ApiError('modelNotFound', `the model "${name}" is not served here; available: ${available}`, { param: 'model' });
      }
      return found;
    },
  };
}
