/**
 * Where a run-time adapter may come from. A request names `lora_path`, so this is
 * the one place a request influences which files the server reads: only folders
 * inside the adapter root given at start are allowed (none without one), through
 * core's resolveInside (lexically, and again with symbolic links followed, so `..`
 * and links cannot step outside), and never the root itself.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PathOutsideRootError, resolveInside } from '@chainlm/core';
import { ApiError } from '../openai/errors.js';

/** The real path of `requested` (absolute, or relative to the root) inside `root`. */
export function resolveAdapterPath(root: string | undefined, requested: string): string {
  if (root === undefined) {
    throw new ApiError('forbidden', 'loading adapters at run time is off: start the server with --adapter-root DIR to allow folders under DIR', { param: 'lora_path' });
  }
  let folder: string;
  try {
    folder = resolveInside(root, requested, { field: 'lora_path', allowAbsolute: true });
  } catch (error) {
    if (error instanceof PathOutsideRootError) throw new ApiError(requested.includes('\0') ? 'invalidRequest' : 'forbidden', error.message, { param: 'lora_path' });
    throw error;
  }
  if (folder === resolve(root)) throw new ApiError('forbidden', `lora_path: ${requested} is the adapter root itself; give a folder under it`, { param: 'lora_path' });
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new ApiError('invalidRequest', `lora_path: ${requested} is not a folder under the adapter root`, { param: 'lora_path' });
  return realpathSync(folder);
}
