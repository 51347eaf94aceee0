import { basename, resolve } from 'node:path';
import { Engine, stepModelFrom, type EngineConfigInput } from '@chainlm/engine';
import { createModel, loadChatTemplate, loadHfFolder, loadTokenizer, parseHfConfig } from '@chainlm/model';
import type { ServedModel } from './served-model.js';

export interface LoadServedModelOptions {
  /** The name clients use; default the folder's name. */
  id?: string;
  engine?: EngineConfigInput;
}

/** Loads an HF model folder (weights, config, tokenizer, chat template) behind an engine. */
export async function loadServedModel(path: string, options: LoadServedModelOptions = {}): Promise<ServedModel> {
  const dir = resolve(path);
  const folder = await loadHfFolder(dir);
  const config = parseHfConfig(folder.configJson);
  const model = createModel(config, folder.weights);
  const tokenizer = folder.tokenizerPath ? await loadTokenizer(dir) : undefined;
  const chatTemplate = tokenizer ? loadChatTemplate(dir, tokenizer, { fallback: 'chatml' }) : undefined;
  const engine = new Engine(stepModelFrom(model), { config: options.engine, tokenizer });
  return {
    id: options.id ?? basename(dir),
    engine,
    tokenizer,
    chatTemplate,
    contextLength: Math.min(engine.plan.tokensThatFit, options.engine?.maxModelLen ?? config.maxPositionEmbeddings),
    created: Math.floor(Date.now() / 1000),
    ownedBy: 'chainlm',
    root: dir,
  };
}
