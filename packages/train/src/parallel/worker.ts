/**
 * A replica worker: builds the model from the spec, then serves requests. Gradients
 * go straight into this worker's shared region; parameters are read from (and, once
 * at start, written to) the shared parameter buffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '@chainlm/runtime';
import { LocalEngine } from '../loop/local-engine.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;

function reply(message: WorkerReply): void {
  port.postMessage(message);
}

async function serve(): Promise<void> {
  await initBackend(init.backend ? { prefer: init.backend } : {});
  const engine = await LocalEngine.create(init.spec);
  const paramsBuffer = init.params ?? new SharedArrayBuffer(engine.layout.size * 4);
  const gradsBuffer = new SharedArrayBuffer(engine.layout.size * 4);
  const params = new Float32Array(paramsBuffer);
  const grads = new Float32Array(gradsBuffer);
  reply({ type: 'ready', layout: engine.layout, params: paramsBuffer, grads: gradsBuffer });
  port.on('message', (request: WorkerRequest) => {
    handle(engine, params, grads, request).catch((error: unknown) => {
      const { code, hint } = error as { code?: string; hint?: string };
      reply({ type: 'error', message: (error as Error).message ?? String(error), code, hint });
    });
  });
}

async function handle(engine: LocalEngine, params: Float32Array, grads: Float32Array, request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'read-params':
      await engine.readParams(params);
      return reply({ type: 'done' });
    case 'write-params':
      await engine.writeParams(params);
      return reply({ type: 'done' });
    case 'gradients':
      return reply({ type: 'loss', result: await engine.accumulateGradients(request.batches, request.dropoutSeed, grads) });
    case 'evaluate':
      return reply({ type: 'loss', result: await engine.evaluate(request.batches) });
    case 'close':
      await engine.dispose();
      reply({ type: 'done' });
      port.close();
      return;
  }
}

serve().catch((error: unknown) => {
  const { code, hint } = error as { code?: string; hint?: string };
  reply({ type: 'error', message: (error as Error).message ?? String(error), code, hint });
});
