import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * One vitest config for the monorepo. Tests import sibling packages by name
 * (`@chainlm/core`); the alias points those imports at the package sources, so a
 * test never runs against a stale build. CLIs spawned by tests run from dist/
 * (`npm test` builds first).
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@chainlm\/datasets$/, replacement: `${root}datasets/src/index.ts` },
      { find: /^@chainlm\/console$/, replacement: `${root}apps/console/server/index.ts` },
      { find: /^@chainlm\/console\/command$/, replacement: `${root}apps/console/server/cli/console-command.ts` },
      { find: /^@chainlm\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/server/**/*.test.ts', 'tools/**/*.test.ts', 'datasets/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
