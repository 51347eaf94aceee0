#!/usr/bin/env node
/**
 * Checks the package arrows against docs/architecture.md and the sources:
 *  1. every workspace package's @chainlm dependencies (package.json) are exactly the
 *     ones its row in the architecture table names;
 *  2. every `@chainlm/x` a source file imports is declared in its package.json
 *     (dependencies, or devDependencies for tests);
 *  3. no source file reaches into another package by a relative path (`../../x/src`);
 *  4. the package graph has no cycle.
 * Prints each violation with its file and exits 1 on any; `tools/ci/architecture`
 * runs it in CI.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const problems = [];

/** Workspace folders and their package.json (apps/console is `console`, datasets is `datasets`). */
const workspaces = [...readdirSync(join(root, 'packages')).map((name) => join('packages', name)), 'datasets', 'apps/console']
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    // Named by the folder for the one package not published under @chainlm/ (packages/cli is `chainlm`).
    const short = manifest.name.startsWith('@chainlm/') ? manifest.name.slice('@chainlm/'.length) : dir.split('/').pop();
    const deps = (field) => Object.keys(manifest[field] ?? {}).filter((name) => name.startsWith('@chainlm/')).map((name) => name.replace('@chainlm/', ''));
    return { dir, name: manifest.name, short, dependencies: deps('dependencies'), devDependencies: deps('devDependencies'), exports: Object.keys(manifest.exports ?? { '.': null }) };
  });
const byShort = new Map(workspaces.map((workspace) => [workspace.short, workspace]));

// 1. The table: | package | depends on | owns |
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
const table = new Map();
for (const line of doc.split('\n')) {
  const cells = line.split('|').map((cell) => cell.trim());
  if (cells.length < 4 || cells[1] === 'package' || /^-+$/.test(cells[1])) continue;
  const name = cells[1].split(/\s/)[0].replace(/`/g, '');
  if (!byShort.has(name)) continue;
  table.set(name, new Set(cells[2].split(/[,\s]+/).filter((token) => byShort.has(token))));
}
for (const workspace of workspaces) {
  const row = table.get(workspace.short);
  if (!row) {
    problems.push(`docs/architecture.md: no row for ${workspace.short} (${workspace.dir})`);
    continue;
  }
  const declared = new Set(workspace.dependencies);
  for (const name of declared) if (!row.has(name)) problems.push(`docs/architecture.md: ${workspace.short} depends on ${name} (${workspace.dir}/package.json) but its row does not say so`);
  for (const name of row) if (!declared.has(name)) problems.push(`docs/architecture.md: the ${workspace.short} row names ${name}, which ${workspace.dir}/package.json does not depend on`);
}

// 2 and 3. Imports in the sources.
const sourceFolders = (workspace) => ['src', 'server', 'web', 'browser', 'bench', 'bin'].map((folder) => join(root, workspace.dir, folder)).filter(existsSync);
const files = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && /\.(ts|tsx|mts|mjs|js)$/.test(entry.name) && !entry.parentPath.includes('node_modules')).map((entry) => join(entry.parentPath, entry.name));
const importPattern = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;
for (const workspace of workspaces) {
  const home = join(root, workspace.dir);
  for (const file of sourceFolders(workspace).flatMap(files)) {
    const text = readFileSync(file, 'utf8');
    const test = /\.test\.tsx?$|[\\/](testing|__tests__)[\\/]/.test(file);
    const where = relative(root, file);
    for (const [, specifier] of text.matchAll(importPattern)) {
      if (specifier.startsWith('@chainlm/')) {
        const target = specifier.slice('@chainlm/'.length).split('/')[0];
        const subpath = `.${specifier.slice('@chainlm/'.length + target.length)}`;
        if (subpath !== '.' && !byShort.get(target)?.exports.includes(subpath)) problems.push(`${where}: deep import ${specifier} (import the package's index or a subpath its package.json exports)`);
        if (target === workspace.short) continue;
        const allowed = test ? [...workspace.dependencies, ...workspace.devDependencies] : workspace.dependencies;
        if (!allowed.includes(target)) problems.push(`${where}: imports @chainlm/${target}, which ${workspace.dir}/package.json does not declare`);
      } else if (specifier.startsWith('.')) {
        const resolved = resolve(dirname(file), specifier);
        if (!resolved.startsWith(home + sep)) problems.push(`${where}: reaches outside its package by a relative path (${specifier})`);
      }
    }
  }
}

// 4. Cycles.
const visiting = new Set();
const done = new Set();
const visit = (name, path) => {
  if (done.has(name)) return;
  if (visiting.has(name)) {
    problems.push(`package cycle: ${[...path, name].join(' → ')}`);
    return;
  }
  visiting.add(name);
  for (const next of byShort.get(name)?.dependencies ?? []) visit(next, [...path, name]);
  visiting.delete(name);
  done.add(name);
};
for (const workspace of workspaces) visit(workspace.short, []);

for (const problem of problems) console.log(`✗ ${problem}`);
console.log(problems.length === 0 ? `architecture: ${workspaces.length} packages match docs/architecture.md; no undeclared, deep or cross-package imports; no cycle` : `architecture: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
