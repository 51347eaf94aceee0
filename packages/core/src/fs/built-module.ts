/**
 * The JavaScript a worker thread can load for a module: the module itself when it
 * runs compiled, its dist/ twin when it runs from TypeScript sources (tests import
 * sources through vitest, but a worker thread or a dynamic import there needs the
 * built file). Pass `import.meta.url`. One helper for every package that starts
 * workers (engine replicas and tensor-parallel ranks, the agent's tool workers).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChainlmError } from '../errors.js';

export function builtModuleUrl(moduleUrl: string): string {
  if (!moduleUrl.endsWith('.ts')) return moduleUrl;
  const built = moduleUrl.replace(/\/src\/(?!.*\/src\/)/, '/dist/').replace(/\.ts$/, '.js');
  if (!existsSync(fileURLToPath(built))) {
    throw new ChainlmError('built-module-missing', `${fileURLToPath(built)} is missing: worker threads run built JavaScript`, { hint: 'build first: `npm run build` (npm test does)' });
  }
  return built;
}
