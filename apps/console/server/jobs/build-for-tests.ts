/**
 * Tests that start jobs need the job runner built (it runs from dist/, in its own
 * process). Several test files may ask at once, so the build holds a file lock.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { consoleRoot } from '../app/options.js';

export function buildConsoleForTests(): void {
  const repo = resolve(consoleRoot, '../..');
  const tsc = [join(repo, 'node_modules/typescript/bin/tsc'), '-b', consoleRoot];
  const flock = ['/usr/bin/flock', '/bin/flock'].find((path) => existsSync(path));
  if (flock) execFileSync(flock, [join(tmpdir(), 'chainlm-console-build.lock'), process.execPath, ...tsc], { cwd: repo, stdio: 'inherit' });
  else execFileSync(process.execPath, tsc, { cwd: repo, stdio: 'inherit' });
}
