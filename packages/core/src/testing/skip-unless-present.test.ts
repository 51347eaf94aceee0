import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipUnlessPresent } from './skip-unless-present.js';

const here = mkdtempSync(join(tmpdir(), 'chainlm-skip-'));
const ci = process.env.CI;

afterEach(() => {
  if (ci === undefined) delete process.env.CI;
  else process.env.CI = ci;
  vi.restoreAllMocks();
});

describe('skipUnlessPresent', () => {
  it('runs the test when every fixture is present', () => {
    expect(skipUnlessPresent(here, 'never printed')).toBe(false);
    expect(skipUnlessPresent([here, here], 'never printed')).toBe(false);
    expect(skipUnlessPresent(true, 'never printed')).toBe(false);
  });

  it('outside CI skips and says why, naming what is missing, once per message', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const absent = join(here, 'dist', 'bin.js');
    expect(skipUnlessPresent([here, absent], 'the CLI test runs the build: npm run build')).toBe(true);
    expect(skipUnlessPresent([here, absent], 'the CLI test runs the build: npm run build')).toBe(true);
    expect(skipUnlessPresent(false, 'no python3 on this machine')).toBe(true);
    expect(warn.mock.calls.map(([line]) => line)).toEqual([`skipped: the CLI test runs the build: npm run build (missing: ${absent})`, 'skipped: no python3 on this machine']);
  });

  it('in CI (CI=true) a missing fixture fails instead of skipping', () => {
    process.env.CI = 'true';
    expect(() => skipUnlessPresent(join(here, 'shared'), '../shared holds the golden checkpoints')).toThrow(/a test cannot skip in CI: \.\.\/shared holds the golden checkpoints \(missing: .*shared\)/);
    expect(() => skipUnlessPresent(false, 'no jail')).toThrow(/cannot skip in CI: no jail/);
    expect(skipUnlessPresent(here, 'present')).toBe(false);
  });
});
