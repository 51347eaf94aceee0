/**
 * Where a run-time adapter may come from. A request names `lora_path`, so this is
 * the one place a request influences which files the server reads: only folders
 * inside the adapter root given at start are allowed (none without one), checked
 * lexically before anything touches the file system, and again after resolving
 * symlinks, so `..` and links cannot step outside.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { ApiError } from '../openai/errors.js';

function inside(root: string, path: string): boolean {
  const rest = relative(root, path);
  return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
}

/** The real path of `requested` (absolute, or relative to the root) inside `root`. */
export function resolveAdapterPath(root: string | undefined, requested: string): string {
  if (root === undefined) {
    throw new ApiError('forbidden', 'loading adapters at run time is off: start the server with --adapter-root DIR to allow folders under DIR', { param: 'lora_path' });
  }
  if (requested.includes('\0')) throw new ApiError('invalidRequest', 'lora_path: contains a NUL byte', { param: 'lora_path' });
  const lexical = resolve(root, requested);
  if (!inside(root, lexical) || lexical === root) throw new ApiError('forbidden', `lora_path: ${requested} is outside the adapter root; give a folder under it`, { param: 'lora_path' });
  if (!existsSync(lexical) || !statSync(lexical).isDirectory()) throw new ApiError('invalidRequest', `lora_path: ${requested} is not a folder under the adapter root`, { param: 'lora_path' });
  const real = realpathSync(lexical);
  if (!inside(root, real)) throw new ApiError('forbidden', `lora_path: ${requested} links outside the adapter root`, { param: 'lora_path' });
  return real;
}
