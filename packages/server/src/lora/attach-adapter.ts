/**
 * Adapters as served models: a PEFT folder loaded onto its base model's engine and
 * listed under its own name, which requests put in `model`. The adapter shares the
 * base's engine, so its requests are batched with the base's and other adapters'.
 */
import type { ServerContext } from '../app/context.js';
import type { ServedModel } from '../app/served-model.js';
import { ApiError } from '../openai/errors.js';
import { readServedAdapter } from './adapter-modules.js';

/** Names appear in `model`, metrics labels and logs: keep them plain. */
export const adapterNamePattern = /^[A-Za-z0-9._:/-]{1,128}$/;

export async function attachAdapter(context: ServerContext, name: string, path: string, parentId?: string | null): Promise<ServedModel> {
  if (!adapterNamePattern.test(name)) throw new ApiError('invalidRequest', `lora_name: "${name}" must be 1-128 letters, digits or . _ : / -`, { param: 'lora_name' });
  if (context.models.has(name) || context.adapters.has(name)) throw new ApiError('invalidRequest', `lora_name: "${name}" is already served; unload it first or pick another name`, { param: 'lora_name' });
  const parent = parentId ? context.models.get(parentId) : context.models.values().next().value;
  if (!parent) throw new ApiError('modelNotFound', `base_model_name: "${parentId}" is not served here`, { param: 'base_model_name' });
  const adapter = await readServedAdapter(path, parent.config);
  await parent.engine.loadAdapter(name, adapter);
  const served: ServedModel = { ...parent, id: name, adapter: name, parent: parent.id, root: path, created: Math.floor(Date.now() / 1000), tokenTexts: parent.tokenTexts };
  context.adapters.set(name, served);
  return served;
}

/** Unloads an adapter no request is using (the engine refuses while one is). */
export async function detachAdapter(context: ServerContext, name: string): Promise<void> {
  const served = context.adapters.get(name);
  if (!served) throw new ApiError('modelNotFound', `lora_name: no adapter named "${name}" is loaded (loaded: ${[...context.adapters.keys()].join(', ') || 'none'})`, { param: 'lora_name' });
  await served.engine.unloadAdapter(name);
  context.adapters.delete(name);
  context.forget(name);
}
