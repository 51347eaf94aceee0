/**
 * The code a stage's result depends on, as one hash: the built JavaScript of the
 * packages a stage kind names and, transitively, every @chainlm package they
 * depend on. It goes into the stage's cache key beside the parameters, so after an
 * upgrade (or any rebuild that changes what a stage computes) the stage runs again
 * instead of reusing a result the old code made. A kind's hand-bumped `version`
 * still marks changes the build cannot see (the meaning of a parameter).
 *
 * Cost: a package's files are stat'ed on every call (a few ms for the demo's ~10
 * packages) and read only when a size or mtime changed since the last hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Where a package's folder is (its package.json's folder), or undefined when it cannot be found (not built). */
export type PackageLocator = (name: string) => string | undefined;

const require = createRequire(import.meta.url);

/** Node's resolution from this package: the folder above the package's entry point holding its package.json. */
export const locateWorkspacePackage: PackageLocator = (name) => {
  let dir: string;
  try {
    dir = dirname(require.resolve(name));
  } catch {
    return undefined;
  }
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
};

/** Every .js file under dist/ with its size and mtime, in a fixed order. */
function builtFiles(dir: string): { file: string; signature: string }[] {
  const dist = join(dir, 'dist');
  if (!existsSync(dist)) return [];
  return readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js') && !entry.name.endsWith('.test.js'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((file) => {
      const stat = statSync(file);
      return { file, signature: `${file}:${stat.size}:${stat.mtimeMs}` };
    });
}

const hashes = new Map<string, { signature: string; digest: string }>();

function hashPackage(dir: string): { digest: string; dependencies: string[] } {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; dependencies?: Record<string, string> };
  const dependencies = Object.keys(manifest.dependencies ?? {}).filter((dependency) => dependency.startsWith('@chainlm/'));
  const files = builtFiles(dir);
  const signature = `${manifest.version}|${files.map((entry) => entry.signature).join('|')}`;
  const cached = hashes.get(dir);
  if (cached?.signature === signature) return { digest: cached.digest, dependencies };
  const hash = createHash('sha256').update(`${manifest.name}@${manifest.version}\n`);
  for (const { file } of files) hash.update(file.slice(dir.length)).update('\0').update(readFileSync(file));
  const digest = hash.digest('hex');
  hashes.set(dir, { signature, digest });
  return { digest, dependencies };
}

/** One hash over the named packages and their @chainlm dependencies, transitively. */
export function codeVersion(packages: readonly string[], locate: PackageLocator = locateWorkspacePackage): string {
  const seen = new Map<string, string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const dir = locate(name);
    if (dir === undefined) {
      seen.set(name, 'unbuilt');
      return;
    }
    const { digest, dependencies } = hashPackage(dir);
    seen.set(name, digest);
    dependencies.forEach(visit);
  };
  packages.forEach(visit);
  const hash = createHash('sha256');
  for (const [name, digest] of [...seen].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${name} ${digest}\n`);
  return hash.digest('hex').slice(0, 16);
}
