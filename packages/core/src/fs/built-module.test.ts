import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtModuleUrl } from './built-module.js';

describe('builtModuleUrl', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-built-'));
  mkdirSync(join(root, 'pkg', 'dist', 'sub'), { recursive: true });
  writeFileSync(join(root, 'pkg', 'dist', 'sub', 'worker.js'), '');

  it('maps a source module to its dist/ twin and leaves built modules alone', () => {
    const source = pathToFileURL(join(root, 'pkg', 'src', 'sub', 'worker.ts')).href;
    expect(builtModuleUrl(source)).toBe(pathToFileURL(join(root, 'pkg', 'dist', 'sub', 'worker.js')).href);
    const built = pathToFileURL(join(root, 'pkg', 'dist', 'sub', 'worker.js')).href;
    expect(builtModuleUrl(built)).toBe(built);
  });

  it('says to build when the twin is missing', () => {
    expect(() => builtModuleUrl(pathToFileURL(join(root, 'pkg', 'src', 'absent.ts')).href)).toThrow(/absent\.js is missing: worker threads run built JavaScript/);
  });
});
