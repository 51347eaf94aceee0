import type { RequestMetrics } from '@chainlm/engine';
import { ApiError } from '../openai/errors.js';
import type { ServedModel } from './served-model.js';

/** What every route needs: the served models and the server's limits. */
export interface ServerContext {
  models: ReadonlyMap<string, ServedModel>;
  /** The served model named by a request's `model` field (404 if none). */
  model(name: string | null | undefined): ServedModel;
  defaults: { maxTokens: number };
  requestTimeoutMs: number;
  /** Called with each finished request's metrics (the /metrics histograms). */
  observe(model: string, metrics: RequestMetrics): void;
}

export function createContext(
  models: ServedModel[],
  options: { maxTokens: number; requestTimeoutMs: number; observe?: (model: string, metrics: RequestMetrics) => void },
): ServerContext {
  const byId = new Map(models.map((model) => [model.id, model]));
  return {
    models: byId,
    defaults: { maxTokens: options.maxTokens },
    requestTimeoutMs: options.requestTimeoutMs,
    observe: (model, metrics) => options.observe?.(model, metrics),
    model(name) {
      const found = name ? byId.get(name) : models[0];
      if (!found) {
        throw new ApiError('modelNotFound', `the model "${name}" is not served here; available: ${[...byId.keys()].join(', ')}`, { param: 'model' });
      }
      return found;
    },
  };
}
