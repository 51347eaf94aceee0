// Worker script for worker-pool.test.ts: serves jobs through the compiled serve-jobs.js.
import { threadId } from 'node:worker_threads';
import { ChainlmError } from '@chainlm/core';
import { serveJobs } from '../../dist/workers/serve-jobs.js';

await serveJobs((setup) => {
  if (setup.failStart) throw new ChainlmError('test-start', 'cannot start', { hint: 'fix the setup', exitCode: 2 });
  return (job) => {
    if (job.fail) throw new ChainlmError('test-job', `job ${job.n} failed`, { hint: 'retry', exitCode: 2 });
    if (job.exit) process.exit(3);
    return { n: job.n * setup.factor, thread: threadId, values: new Float64Array([job.n, 0.5]) };
  };
});
