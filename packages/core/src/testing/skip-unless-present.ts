/**
 * Tests that need something the clone may lack — a built `dist/`, the `../shared`
 * checkpoints and datasets, a jail, a service — must never skip without a word:
 *
 *   describe.skipIf(skipUnlessPresent(bin, 'chainlm-train CLI tests run the built binary: npm run build'))(…)
 *
 * Returns true (skip) only outside CI, after printing which file is missing and why
 * the test needs it. In CI (`CI=true`, as GitHub Actions and `.ci/run` set it) a
 * missing fixture throws instead, so the test file fails and the run is red. Needs
 * no test runner: it returns the boolean that `skipIf` takes.
 */
import { existsSync } from 'node:fs';

/** Paths that must exist, or a ready-made verdict (true = present, e.g. a probe's `available`). */
export type FixtureNeeds = string | readonly string[] | boolean;

const printed = new Set<string>();

export function inCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/** The paths among `needs` that are absent ('' when a boolean verdict says absent). */
function missing(needs: FixtureNeeds): string[] {
  if (typeof needs === 'boolean') return needs ? [] : [''];
  return (typeof needs === 'string' ? [needs] : [...needs]).filter((path) => !existsSync(path));
}

/**
 * True when the test must be skipped: something in `needs` is missing outside CI
 * (printed once per message). `reason` says what the test needs and how to get it.
 * In CI a missing fixture throws.
 */
export function skipUnlessPresent(needs: FixtureNeeds, reason: string): boolean {
  const absent = missing(needs);
  if (absent.length === 0) return false;
  const what = absent.filter((path) => path !== '').join(', ');
  const message = `${reason}${what ? ` (missing: ${what})` : ''}`;
  if (inCi()) throw new Error(`a test cannot skip in CI: ${message}`);
  if (!printed.has(message)) {
    printed.add(message);
    console.warn(`skipped: ${message}`);
  }
  return true;
}
