/**
 * Where the package CLIs live: each package's built `dist/bin/<cli>.js`, found
 * through the package's own entry point so the console runs the installed build.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ChainlmError } from '@chainlm/core';
import type { CliName } from './job-spec.js';

const packageOf: Record<CliName, string> = {
  'chainlm-data': '@chainlm/data',
  'chainlm-train': '@chainlm/train',
  'chainlm-eval': '@chainlm/eval',
  'chainlm-serve': '@chainlm/server',
};

const require = createRequire(import.meta.url);

export function cliPath(cli: CliName): string {
  let entry: string;
  try {
    entry = require.resolve(packageOf[cli]);
  } catch (error) {
    throw new ChainlmError('console-cli-missing', `cannot find ${packageOf[cli]} for ${cli}: ${(error as Error).message}`, { hint: 'run `npm run build` at the repository root' });
  }
  const file = join(dirname(entry), 'bin', `${cli}.js`);
  if (!existsSync(file)) throw new ChainlmError('console-cli-missing', `${cli} is not built (no ${file})`, { hint: 'run `npm run build` at the repository root' });
  return file;
}
