/** Clean worker thread: builds the recipe's steps once, then runs batches (batch-run.ts). */
import { serveJobs } from '../workers/serve-jobs.js';
import { batchRunner } from './batch-run.js';
import { instantiate, type StepsSetup } from './recipe-steps.js';

await serveJobs(async (setup: StepsSetup) => batchRunner(await instantiate(setup), setup.kind));
