/** Worker thread: loads the tokenizer once, then encodes jobs posted by the pool. */
import { parentPort, workerData } from 'node:worker_threads';
import { createJobEncoder, type EncodeJob, type EncoderSetup } from './encode-job.js';

const encode = await createJobEncoder(workerData as EncoderSetup);
parentPort!.on('message', (message: { id: number; job: EncodeJob }) => {
  try {
    const result = encode(message.job);
    const transfer = [result.ids.buffer, result.offsets.buffer, ...(result.mask ? [result.mask.buffer] : [])] as ArrayBuffer[];
    parentPort!.postMessage({ id: message.id, result }, transfer);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: (error as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
