/**
 * Turning a value from outside (an HTTP query, a job spec, a CLI flag a server
 * forwards) into a file path inside one root, and refusing anything else.
 *
 * Invariant: the returned path is absolute, lexically inside `root`, and — where
 * it or any of its parents exist — its real path (symbolic links followed) is
 * inside the root's real path too, so a link planted in the home cannot lead out.
 * Every route or CLI that joins a request value into a path goes through here
 * (one helper, one set of rules), never through a bare `join()`.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ChainlmError } from '../errors.js';

export interface InsideRootOptions {
  /** Name of the request field the value came from, for the error (`query.model`). */
  field: string;
  /** Accept an absolute path when it lies inside the root (default: only relative values). */
  allowAbsolute?: boolean;
}

export class PathOutsideRootError extends ChainlmError {
  constructor(field: string, value: string, root: string, why: string) {
    super('path-outside-root', `${field}: "${value.slice(0, 200)}" ${why}; only paths inside ${root} are served`, {
      hint: `give a name or a relative path inside ${root}`,
      exitCode: 2,
    });
    this.name = 'PathOutsideRootError';
  }
}

/** True when `candidate` is `root` itself or lies below it (both absolute, normalised). */
export function isPathInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The nearest existing ancestor's real path, with the missing tail appended. */
function realPathOfNearest(path: string): string {
  let existing = path;
  const tail: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    tail.unshift(existing.slice(parent.length).replace(/^[\\/]+/, ''));
    existing = parent;
  }
  return resolve(realpathSync(existing), ...tail);
}

/**
 * Resolves `value` (one or more path segments from a request) below `root`, or
 * throws PathOutsideRootError naming the field. Empty values, NUL bytes, absolute
 * paths (unless allowed and inside), `..` escapes and symlink escapes are refused.
 */
export function resolveInside(root: string, value: string | readonly string[], options: InsideRootOptions): string {
  const segments = typeof value === 'string' ? [value] : [...value];
  const shown = segments.join('/');
  const base = resolve(root);
  if (segments.length === 0 || segments.some((segment) => segment.length === 0)) throw new PathOutsideRootError(options.field, shown, base, 'is empty');
  if (segments.some((segment) => segment.includes('\0'))) throw new PathOutsideRootError(options.field, shown.replaceAll('\0', '\\0'), base, 'contains a NUL byte');
  if (!options.allowAbsolute && segments.some((segment) => isAbsolute(segment))) throw new PathOutsideRootError(options.field, shown, base, 'is an absolute path');
  const candidate = resolve(base, ...segments);
  if (!isPathInside(base, candidate)) throw new PathOutsideRootError(options.field, shown, base, 'points outside its folder');
  const realBase = existsSync(base) ? realpathSync(base) : base;
  if (!isPathInside(realBase, realPathOfNearest(candidate))) throw new PathOutsideRootError(options.field, shown, base, 'leads outside its folder through a symbolic link');
  return candidate;
}

/**
 * Like resolveInside, for values that may be absolute and may lie under any of
 * several roots (a job's input files: the home, or a folder the operator allowed).
 * Relative values resolve against the first root.
 */
export function resolveInsideAny(roots: readonly string[], value: string, options: Omit<InsideRootOptions, 'allowAbsolute'>): string {
  if (roots.length === 0) throw new PathOutsideRootError(options.field, value, '(no folder)', 'cannot be read');
  const candidate = isAbsolute(value) ? value : resolve(roots[0]!, value);
  for (const root of roots) {
    if (!isPathInside(resolve(root), resolve(candidate))) continue;
    return resolveInside(root, relative(resolve(root), resolve(candidate)) || '.', { field: options.field });
  }
  throw new PathOutsideRootError(options.field, value, roots.join(' or '), 'is outside the allowed folders');
}
