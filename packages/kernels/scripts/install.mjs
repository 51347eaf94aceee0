#!/usr/bin/env node
// `npm ci` / `npm install` run this: compile the addon with node-gyp, offline. Node's
// own headers are used when the Node install has them (Debian's nodejs puts them in
// /usr/include/node), so nothing is downloaded. A failed build (no compiler) is not an
// install failure: the reason goes to build/install-failure.txt, `chainlm doctor`
// shows it, and everything runs on the wasm kernels.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const failure = join(root, 'build', 'install-failure.txt');
rmSync(failure, { force: true });

if (process.env.CHAINLM_KERNELS === 'wasm') {
  console.log('@chainlm/kernels: CHAINLM_KERNELS=wasm, not building the native kernels');
  process.exit(0);
}

const args = ['rebuild'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm passes its bundled node-gyp; run by hand, fall back to the one npm ships with Node.
const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
const result = gyp && existsSync(gyp)
  ? spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' })
  : spawnSync('node-gyp', args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', shell: true });
if (result.status === 0) process.exit(0);

const errorLines = `${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.split('\n').filter((line) => /error|not found|ENOENT/i.test(line));
const reason = `node-gyp rebuild failed (exit ${result.status}): ${errorLines.slice(0, 3).join(' | ').slice(0, 400) || 'see the install log'}`;
mkdirSync(join(root, 'build'), { recursive: true });
writeFileSync(failure, `${(result.stderr ?? '').slice(-4000)}\n${reason}\n`);
console.warn(`@chainlm/kernels: ${reason}\n@chainlm/kernels: the native kernels are off; everything runs on the wasm kernels (chainlm doctor says why)`);
process.exit(0);
