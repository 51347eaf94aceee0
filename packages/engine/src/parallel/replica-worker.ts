/**
 * A replica: one worker thread with its own wasm backend, model and Engine. The
 * wasm backend is single-threaded, so N replicas use N cores for throughput. The
 * front prints the memory plan once; this thread reports its plan in `ready`, its
 * metrics when they change (at most every metricsIntervalMs), and every failure as a
 * catalogue code so the front can answer with the right error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '@chainlm/runtime';
import { Engine } from '../engine/engine.js';
import { stepModelFrom } from '../model/step-model.js';
import type { ConstraintFactory, PortableConstraint, TokenConstraint } from '../sampling/constraint.js';
import { buildReplicaModel, toWireError } from './replica-model.js';
import { replicaProtocol, type FrontMessage, type ReplicaMessage, type ReplicaWorkerData } from './replica-messages.js';

const port = parentPort!;
const data = workerData as ReplicaWorkerData;
const send = (message: ReplicaMessage) => port.postMessage(message);

async function start(): Promise<void> {
  await initBackend();
  const { model, tokenizer } = await buildReplicaModel(data.model);
  const stepModel = stepModelFrom(model);
  const engine = new Engine(stepModel, { config: { ...data.config, printPlan: false }, ...(tokenizer ? { tokenizer } : {}) });
  let lastMetrics = '';
  const timer = setInterval(() => {
    const metrics = engine.metrics();
    const key = JSON.stringify(metrics);
    if (key === lastMetrics) return;
    lastMetrics = key;
    send({ type: 'metrics', metrics });
  }, data.metricsIntervalMs);

  const factories = new Map<string, ConstraintFactory>();
  const constraintOf = async (portable: PortableConstraint): Promise<TokenConstraint> => {
    const key = `${portable.module}#${portable.factory}`;
    if (!factories.has(key)) factories.set(key, (await import(portable.module))[portable.factory] as ConstraintFactory);
    return factories.get(key)!({ tokenizer }, portable.options as never);
  };

  const handle = async (message: FrontMessage): Promise<void> => {
    switch (message.type) {
      case 'add':
        try {
          const constraint = message.constraint ? await constraintOf(message.constraint) : undefined;
          engine.addRequest({ ...message.request, ...(constraint ? { constraint } : {}) }, (event) => send({ type: 'event', event }));
        } catch (error) {
          send({ type: 'reject', requestId: message.request.requestId, error: toWireError(error) });
        }
        break;
      case 'abort':
        engine.abort(message.requestId);
        break;
      case 'load-adapter':
      case 'unload-adapter':
        try {
          if (message.type === 'load-adapter') engine.loadAdapter(message.name, message.adapter);
          else engine.unloadAdapter(message.name);
          send({ type: 'done', operation: message.operation });
        } catch (error) {
          send({ type: 'done', operation: message.operation, error: toWireError(error) });
        }
        break;
      case 'snapshot':
        send({ type: 'done', operation: message.operation, snapshot: { metrics: engine.metrics(), bookkeeping: engine.bookkeeping() } });
        break;
      case 'close':
        clearInterval(timer);
        await engine.close();
        model.dispose();
        send({ type: 'closed' });
        port.close();
        break;
    }
  };
  // One message at a time, in order: an abort must not overtake the add it aborts
  // (an add can wait for a constraint module's first import).
  let queue = Promise.resolve();
  port.on('message', (message: FrontMessage) => (queue = queue.then(() => handle(message))));
  send({ type: 'ready', protocol: replicaProtocol, plan: engine.plan, shape: stepModel.config, modelConfig: model.config, hasTokenizer: tokenizer !== undefined });
}

try {
  await start();
} catch (error) {
  send({ type: 'start-error', error: toWireError(error) });
  port.close();
}
