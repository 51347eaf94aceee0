/**
 * `node packages/sandbox/dist/bench/startup.js [--runs N] [--no-humaneval]`: what the
 * jail costs per call, against the unsandboxed spawn the old code used, measured in
 * the same run (median of N). With ../shared present it also times the 164 HumanEval
 * reference solutions (concurrency 2), jailed vs a plain host spawn. Prints a table and
 * writes it into its own section of docs/benchmarks/eval.md (other sections untouched).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDocSection } from '@chainlm/core';
import { getQuickJS } from 'quickjs-emscripten';
import { runUntrusted } from '../run-untrusted.js';

const here = dirname(fileURLToPath(import.meta.url));
const loadAtStart = loadavg()[0];
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 20;
const withHumaneval = !process.argv.includes('--no-humaneval');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function medianMs(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** The old way: a plain host process, no isolation (what both old sandboxes spawned). */
function hostSpawn(program: string, args: string[]): Promise<number | null> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { PATH: '/usr/bin', LANG: 'C.UTF-8' } });
    child.on('error', reject);
    child.on('close', resolveExit);
  });
}

async function quickjsInMainThread(code: string): Promise<unknown> {
  const runtime = (await getQuickJS()).newRuntime();
  const vm = runtime.newContext();
  const value = vm.unwrapResult(vm.evalCode(code));
  const result = vm.dump(value);
  value.dispose();
  vm.dispose();
  runtime.dispose();
  return result;
}

async function mapTwoAtATime<T>(items: T[], fn: (item: T) => Promise<boolean>): Promise<number> {
  let next = 0;
  let passed = 0;
  const lane = async () => {
    while (next < items.length) if (await fn(items[next++])) passed++;
  };
  await Promise.all([lane(), lane()]);
  return passed;
}

interface Row {
  case: string;
  baseline: string;
  baselineMs: number;
  candidate: string;
  candidateMs: number;
}

// The very first JavaScript call pays for the worker thread and the QuickJS wasm compile.
let started = performance.now();
await runUntrusted({ language: 'javascript', code: '6 * 7' });
const coldJavascriptMs = performance.now() - started;
started = performance.now();
await quickjsInMainThread('6 * 7');
const coldMainThreadMs = performance.now() - started;

const rows: Row[] = [
  {
    case: `Python \`pass\`, median of ${runs}`,
    baseline: 'host spawn `python3 -I -c pass` (old, no isolation)',
    baselineMs: await medianMs(() => hostSpawn('/usr/bin/python3', ['-I', '-c', 'pass'])),
    candidate: 'runUntrusted python (prlimit + bwrap + seccomp)',
    candidateMs: await medianMs(() => runUntrusted({ language: 'python', code: 'pass' })),
  },
  {
    case: 'JavaScript `6 * 7`, first call in the process',
    baseline: 'QuickJS in the main thread (old)',
    baselineMs: coldMainThreadMs,
    candidate: 'runUntrusted javascript (starts a worker, compiles QuickJS)',
    candidateMs: coldJavascriptMs,
  },
  {
    case: `JavaScript \`6 * 7\`, median of ${runs}`,
    baseline: 'QuickJS in the main thread (old)',
    baselineMs: await medianMs(() => quickjsInMainThread('6 * 7')),
    candidate: 'runUntrusted javascript (kept worker, fresh QuickJS runtime)',
    candidateMs: await medianMs(() => runUntrusted({ language: 'javascript', code: '6 * 7' })),
  },
];

const humaneval = resolve(here, '../../../../../shared/datasets/humaneval/HumanEval.jsonl');
let humanevalNote = '';
if (withHumaneval && existsSync(humaneval)) {
  // The program eval's humanevalProgram builds: prompt + completion + test + check(entry_point).
  const programs = readFileSync(humaneval, 'utf8').trim().split('\n').map((line) => {
    const row = JSON.parse(line) as Record<string, string>;
    return `${row.prompt}${row.canonical_solution}\n\n${row.test}\n\ncheck(${row.entry_point})\n`;
  });
  started = performance.now();
  const hostPassed = await mapTwoAtATime(programs, async (program) => (await hostSpawn('/usr/bin/python3', ['-I', '-c', program])) === 0);
  const hostMs = performance.now() - started;
  started = performance.now();
  const jailPassed = await mapTwoAtATime(programs, async (program) => (await runUntrusted({ language: 'python', code: program, limits: { timeLimitMs: 10_000 } })).status === 'ok');
  const jailMs = performance.now() - started;
  rows.push({ case: `HumanEval, ${programs.length} reference solutions, 2 at a time`, baseline: `host spawn (${hostPassed} passed)`, baselineMs: hostMs, candidate: `runUntrusted python (${jailPassed} passed)`, candidateMs: jailMs });
} else {
  humanevalNote = `\nHumanEval reference run skipped: ${withHumaneval ? `${humaneval} is absent` : '--no-humaneval'}.\n`;
}

const table = [
  '| case | baseline | baseline ms | candidate | candidate ms | ratio (candidate / baseline) |',
  '| --- | --- | ---: | --- | ---: | ---: |',
  ...rows.map((row) => `| ${row.case} | ${row.baseline} | ${row.baselineMs.toFixed(1)} | ${row.candidate} | ${row.candidateMs.toFixed(1)} | ${(row.candidateMs / row.baselineMs).toFixed(2)}× |`),
].join('\n');
const section = [
  '## Sandbox start-up (@chainlm/sandbox)',
  '',
  `\`npm run build && node packages/sandbox/dist/bench/startup.js --runs ${runs}\`. Machine: ${process.platform} ${process.arch}, ${cpus().length} cores shared with other work (1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end: ratios within one run are the comparable numbers), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  'What each call pays for a boundary: new namespaces, a tmpfs root and the seccomp filter for Python; a fresh QuickJS runtime in a kept worker thread for JavaScript (the first call also starts the worker).',
  '',
  table,
  humanevalNote,
].join('\n');
console.log(table + humanevalNote);
const out = resolve(here, '../../../../docs/benchmarks/eval.md');
writeDocSection(out, 'sandbox-startup', section, '# eval benchmarks');
console.log(`wrote ${out}`);
