/**
 * What the server serves: a model folder behind its engine — loaded by the engine's
 * `loadEngine` (HF or quantized folders, --quant at load, replicas), plus what the
 * server itself answers with: the name clients use and the context length.
 */
import { basename } from 'node:path';
import { loadEngine, type EngineConfigInput, type QuantOptions } from '@chainlm/engine';
import type { ServedModel } from './served-model.js';

export { describeQuantization, type QuantOptions, type QuantScheme } from '@chainlm/engine';

export interface LoadServedModelOptions {
  /** The name clients use; default the folder's name. */
  id?: string;
  engine?: EngineConfigInput;
  /** Quantize a float folder at load; a quantized folder is served as it is. */
  quant?: QuantOptions;
  /** Engines behind the server: 1 in this thread (default), or N worker threads (a ReplicaPool). */
  replicas?: number;
  /** Where a replica pool prints its memory plan (default stderr). */
  log?: (line: string) => void;
}

/** Loads a model folder behind one in-thread engine, or behind `replicas` worker-thread engines. */
export async function loadServedModel(path: string, options: LoadServedModelOptions = {}): Promise<ServedModel> {
  const { id, ...load } = options;
  const loaded = await loadEngine(path, load);
  return {
    id: id ?? basename(loaded.dir),
    engine: loaded.engine,
    config: loaded.config,
    replicas: loaded.replicas,
    tokenizer: loaded.tokenizer,
    chatTemplate: loaded.chatTemplate,
    contextLength: loaded.contextLength,
    created: Math.floor(Date.now() / 1000),
    ownedBy: 'chainlm',
    root: loaded.dir,
    ...(loaded.quantization ? { quantization: loaded.quantization } : {}),
  };
}
