import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathOutsideRootError, isPathInside, resolveInside, resolveInsideAny } from './inside-root.js';

function makeRoot() {
  const outer = mkdtempSync(join(tmpdir(), 'chainlm-inside-'));
  const root = join(outer, 'home');
  mkdirSync(join(root, 'evals', 'run-1'), { recursive: true });
  writeFileSync(join(outer, 'secret.txt'), 'secret');
  return { outer, root };
}

describe('resolveInside', () => {
  it('resolves names and relative paths below the root', () => {
    const { root } = makeRoot();
    expect(resolveInside(root, 'evals', { field: 'run' })).toBe(join(root, 'evals'));
    expect(resolveInside(root, ['evals', 'run-1', 'results.json'], { field: 'run' })).toBe(join(root, 'evals', 'run-1', 'results.json'));
    expect(resolveInside(root, 'evals/./run-1/../run-1', { field: 'run' })).toBe(join(root, 'evals', 'run-1'));
  });

  it.each([
    ['..', 'points outside'],
    ['../secret.txt', 'points outside'],
    ['evals/../../secret.txt', 'points outside'],
    ['/etc/passwd', 'absolute'],
    ['', 'empty'],
    ['a\0b', 'NUL'],
  ])('refuses %j, naming the field', (value, why) => {
    const { root } = makeRoot();
    expect(() => resolveInside(root, value, { field: 'query.model' })).toThrow(PathOutsideRootError);
    expect(() => resolveInside(root, value, { field: 'query.model' })).toThrow(new RegExp(`query\\.model: .*${why}`));
  });

  it('refuses a segment that climbs out when joined with others', () => {
    const { root } = makeRoot();
    expect(() => resolveInside(root, ['evals', '..', '..', 'secret.txt'], { field: 'dataset' })).toThrow(/points outside/);
  });

  it('refuses a symbolic link inside the root that leads out', () => {
    const { outer, root } = makeRoot();
    symlinkSync(outer, join(root, 'evals', 'escape'));
    expect(() => resolveInside(root, 'evals/escape/secret.txt', { field: 'model' })).toThrow(/symbolic link/);
    expect(() => resolveInside(root, 'evals/escape/not-yet-written.json', { field: 'model' })).toThrow(/symbolic link/);
  });

  it('accepts absolute paths inside only when asked to', () => {
    const { root } = makeRoot();
    expect(() => resolveInside(root, join(root, 'evals'), { field: 'path' })).toThrow(/absolute/);
    expect(resolveInside(root, join(root, 'evals'), { field: 'path', allowAbsolute: true })).toBe(join(root, 'evals'));
    expect(() => resolveInside(root, join(root, '..', 'secret.txt'), { field: 'path', allowAbsolute: true })).toThrow(/outside/);
  });
});

describe('resolveInsideAny', () => {
  it('takes a path under any allowed root and refuses the rest', () => {
    const { outer, root } = makeRoot();
    const uploads = join(outer, 'uploads');
    mkdirSync(uploads);
    expect(resolveInsideAny([root, uploads], join(uploads, 'a.jsonl'), { field: 'paths[0]' })).toBe(join(uploads, 'a.jsonl'));
    expect(resolveInsideAny([root, uploads], 'evals', { field: 'paths[0]' })).toBe(join(root, 'evals'));
    expect(() => resolveInsideAny([root, uploads], join(outer, 'secret.txt'), { field: 'paths[1]' })).toThrow(/paths\[1\]: .*outside the allowed folders/);
    expect(() => resolveInsideAny([root], '/etc/passwd', { field: 'model' })).toThrow(PathOutsideRootError);
  });
});

describe('isPathInside', () => {
  it('is not fooled by a shared name prefix', () => {
    expect(isPathInside('/srv/home', '/srv/home/x')).toBe(true);
    expect(isPathInside('/srv/home', '/srv/home')).toBe(true);
    expect(isPathInside('/srv/home', '/srv/home2/x')).toBe(false);
    expect(isPathInside('/srv/home', '/srv')).toBe(false);
  });
});
