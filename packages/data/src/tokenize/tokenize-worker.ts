/** Worker thread: loads the tokenizer once, then encodes jobs posted by the encoder pool. */
import { serveJobs } from '../workers/serve-jobs.js';
import { createJobEncoder } from './encode-job.js';

await serveJobs(createJobEncoder);
