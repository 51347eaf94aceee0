/**
 * POST /v1/load_lora_adapter {lora_name, lora_path} and /v1/unload_lora_adapter
 * {lora_name}, in vLLM's shapes (and its plain-text success replies). lora_path must
 * lie inside the adapter root given at start; without one, run-time loads are off.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../app/context.js';
import { attachAdapter, detachAdapter } from '../lora/attach-adapter.js';
import { resolveAdapterPath } from '../lora/adapter-path.js';
import { parseBody } from '../openai/schemas.js';

const loadSchema = z.object({ lora_name: z.string().min(1).max(128), lora_path: z.string().min(1).max(4096), base_model_name: z.string().nullish() });
const unloadSchema = z.object({ lora_name: z.string().min(1).max(128), lora_int_id: z.number().int().nullish() });

export function loraRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post('/v1/load_lora_adapter', async (request, reply) => {
    const body = parseBody(loadSchema, request.body);
    const path = resolveAdapterPath(context.adapterRoot, body.lora_path);
    await attachAdapter(context, body.lora_name, path, body.base_model_name);
    request.log.info({ adapter: body.lora_name, path }, 'loaded LoRA adapter');
    return reply.type('text/plain; charset=utf-8').send(`Success: LoRA adapter '${body.lora_name}' added successfully.`);
  });

  app.post('/v1/unload_lora_adapter', async (request, reply) => {
    const body = parseBody(unloadSchema, request.body);
    await detachAdapter(context, body.lora_name);
    return reply.type('text/plain; charset=utf-8').send(`Success: LoRA adapter '${body.lora_name}' removed successfully.`);
  });
}
