import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The real-browser suite (Debian's Chromium driven by playwright-core), kept out of
 * the root `npm test`: `npm run test:browser -w apps/console` builds the console
 * (server + web) and runs it. It skips with a printed reason without /usr/bin/chromium.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@chainlm\/datasets$/, replacement: `${repo}datasets/src/index.ts` },
      { find: /^@chainlm\/([a-z-]+)$/, replacement: `${repo}packages/$1/src/index.ts` },
    ],
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['browser/**/*.browser.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
