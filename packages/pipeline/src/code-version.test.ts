import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeVersion, locateWorkspacePackage } from './code-version.js';

/** Two fake packages, @chainlm/a depending on @chainlm/b, each with built code. */
function fakeWorkspace() {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-code-version-'));
  const write = (name: string, dependencies: Record<string, string>, code: string) => {
    const dir = join(root, name);
    mkdirSync(join(dir, 'dist', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@chainlm/${name}`, version: '0.1.0', dependencies }));
    writeFileSync(join(dir, 'dist', 'sub', 'index.js'), code);
  };
  write('a', { '@chainlm/b': '0.1.0', zod: '4' }, 'export const a = 1;');
  write('b', {}, 'export const b = 1;');
  const locate = (name: string) => (name.startsWith('@chainlm/') ? join(root, name.slice('@chainlm/'.length)) : undefined);
  return { root, write, locate };
}

describe('codeVersion', () => {
  it('is stable while the built code is unchanged', () => {
    const { locate } = fakeWorkspace();
    expect(codeVersion(['@chainlm/a'], locate)).toBe(codeVersion(['@chainlm/a'], locate));
  });

  it('changes when a dependency\'s built code changes, not only the named package', () => {
    const { write, locate } = fakeWorkspace();
    const before = codeVersion(['@chainlm/a'], locate);
    write('b', {}, 'export const b = 2 + 20;'); // another size: the cache keys on size and mtime
    expect(codeVersion(['@chainlm/a'], locate)).not.toBe(before);
  });

  it('says unbuilt instead of failing when a package cannot be found', () => {
    expect(codeVersion(['@chainlm/not-a-package'])).toMatch(/^[0-9a-f]{16}$/);
  });

  it('finds the workspace packages through Node resolution', () => {
    expect(locateWorkspacePackage('@chainlm/core')).toMatch(/packages[\\/]core$/);
  });
});
