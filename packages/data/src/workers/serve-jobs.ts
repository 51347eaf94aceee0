/**
 * The worker side of worker-pool.ts: builds the handler from workerData, says ready,
 * then answers `{id, job}` messages with `{id, result}` (typed-array buffers in the
 * result are transferred, not copied) or `{id, error}`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from './worker-errors.js';

export async function serveJobs<Job, Result, Setup>(createHandler: (setup: Setup) => Promise<(job: Job) => Result> | ((job: Job) => Result)): Promise<void> {
  const port = parentPort!;
  let handle: (job: Job) => Result;
  try {
    handle = await createHandler(workerData as Setup);
  } catch (error) {
    port.postMessage(errorMessage(error));
    return;
  }
  port.on('message', (message: { id: number; job: Job }) => {
    try {
      const result = handle(message.job);
      port.postMessage({ id: message.id, result }, transferables(result));
    } catch (error) {
      port.postMessage({ id: message.id, ...errorMessage(error) });
    }
  });
  port.postMessage({ ready: true });
}

/** Buffers of the typed arrays directly inside `result` (one level deep). */
function transferables(result: unknown): ArrayBuffer[] {
  if (result === null || typeof result !== 'object') return [];
  const buffers = new Set<ArrayBuffer>();
  for (const value of Object.values(result)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer && value.byteLength === value.buffer.byteLength) buffers.add(value.buffer);
  }
  return [...buffers];
}

