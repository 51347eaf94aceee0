/**
 * A replica: one worker thread with its own wasm backend, model and Engine. The
 * wasm backend is single-threaded, so N replicas use N cores for throughput.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '@chainlm/runtime';
import { createModel, loadHfFolder, parseHfConfig, presetConfig, type Model } from '@chainlm/model';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { stepModelFrom } from '../model/step-model.js';
import type { FrontMessage, ReplicaMessage, ReplicaWorkerData } from './replica-messages.js';

const port = parentPort!;
const data = workerData as ReplicaWorkerData;
const send = (message: ReplicaMessage) => port.postMessage(message);

async function buildModel(): Promise<Model> {
  if ('preset' in data.model) return createModel(presetConfig(data.model.preset), undefined, { seed: data.model.seed });
  const folder = await loadHfFolder(data.model.hfFolder);
  return createModel(parseHfConfig(folder.configJson, join(folder.dir, 'config.json')), folder.weights);
}

await initBackend();
const model = await buildModel();
const engine = new Engine(stepModelFrom(model), { config: data.config });
port.on('message', async (message: FrontMessage) => {
  switch (message.type) {
    case 'add':
      try {
        engine.addRequest(message.request, (event) => send({ type: 'event', event }));
      } catch (error) {
        send({ type: 'error', requestId: message.request.requestId, message: (error as Error).message });
      }
      break;
    case 'abort':
      engine.abort(message.requestId);
      break;
    case 'metrics':
      send({ type: 'metrics', metrics: engine.metrics() });
      break;
    case 'close':
      await engine.close();
      model.dispose();
      send({ type: 'closed' });
      port.close();
      break;
  }
});
send({ type: 'ready' });
