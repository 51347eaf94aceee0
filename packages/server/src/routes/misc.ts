/** GET /v1/models, POST /v1/tokenize and /v1/detokenize. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app/context.js';
import { ApiError } from '../openai/errors.js';
import { detokenizeRequestSchema, parseBody, tokenizeRequestSchema } from '../openai/schemas.js';
import { renderPrompt } from './chat.js';

export function miscRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [...context.models.values(), ...context.adapters.values()].map((model) => ({
      id: model.id,
      object: 'model',
      created: model.created,
      owned_by: model.ownedBy,
      root: model.root,
      parent: model.parent ?? null,
      max_model_len: model.contextLength,
      ...(model.quantization ? { quantization: model.quantization.scheme } : {}),
    })),
  }));

  app.post('/v1/tokenize', async (request) => {
    const body = parseBody(tokenizeRequestSchema, request.body);
    const model = context.model(body.model);
    if (!model.tokenizer) throw new ApiError('invalidRequest', `model "${model.id}" has no tokenizer`, { param: 'model' });
    const tokens = 'prompt' in body ? model.tokenizer.encode(body.prompt, { addSpecialTokens: body.add_special_tokens ?? true }) : renderPrompt(body, model);
    return { tokens, count: tokens.length, max_model_len: model.contextLength };
  });

  app.post('/v1/detokenize', async (request) => {
    const body = parseBody(detokenizeRequestSchema, request.body);
    const model = context.model(body.model);
    if (!model.tokenizer) throw new ApiError('invalidRequest', `model "${model.id}" has no tokenizer`, { param: 'model' });
    const vocab = model.engine.model.config.vocabSize;
    const bad = body.tokens.findIndex((token) => token >= vocab);
    if (bad >= 0) throw new ApiError('invalidRequest', `tokens.${bad}: ${body.tokens[bad]} is outside the vocabulary [0, ${vocab})`, { param: `tokens.${bad}` });
    return { prompt: model.tokenizer.decode(body.tokens) };
  });
}
