#!/usr/bin/env node
// GEMM benchmark: @chainlm/kernels' native SGEMM (1 and 2 threads) against OpenBLAS
// (Debian's python3-numpy + libopenblas0-openmp, installed with apt when missing) and
// tfjs-wasm's own matmul (the "before"), all measured in this one run: native and
// OpenBLAS alternate trial by trial (so both see the same machine load), best of 5. Prints a table of GFLOP/s and ratios and writes docs/benchmarks/kernels.md.
//
//   node packages/kernels/bench/gemm.mjs [--quick] [--no-write]
//
// Needs the build (npm run build). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, if set in the
// environment, are removed for the numpy process only (they pin OpenBLAS to another
// core's kernels), so OpenBLAS runs as tuned for this CPU.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const quick = process.argv.includes('--quick');
const write = !process.argv.includes('--no-write');
const seconds = quick ? 0.05 : 0.15;
const trials = quick ? 2 : 5;

const { loadKernels, nativeBinding, configureKernels } = await import(join(root, 'packages/kernels/dist/index.js'));
const runtime = await import(join(root, 'packages/runtime/dist/index.js'));
const status = loadKernels();
if (status.live !== 'native') throw new Error(`native kernels are not live: ${status.reason}`);
const threadCounts = [...new Set([1, Math.min(2, status.cpus)])];
configureKernels({ threads: Math.max(...threadCounts) });
const binding = nativeBinding();

// ---- shapes ----
const squares = (quick ? [256, 512, 1024] : [256, 512, 1024, 2048, 4096]).map((size) => ({ group: 'square', label: `${size}²`, m: size, n: size, k: size }));
const models = { s15: { dim: 288, hidden: 768, vocab: 32000 }, s110: { dim: 768, hidden: 2048, vocab: 32000 } };
const rowsList = quick ? [1, 64] : [1, 16, 64, 256];
const modelShapes = [];
for (const [name, { dim, hidden, vocab }] of Object.entries(models))
  for (const rows of rowsList)
    for (const [projection, k, n] of [['qkvo', dim, dim], ['ffn up', dim, hidden], ['ffn down', hidden, dim], ['classifier', dim, vocab]])
      modelShapes.push({ group: name, label: `${name} ${projection} ${rows}×${k}·${k}×${n}`, m: rows, n, k });
const shapes = [...squares, ...modelShapes];

// ---- native ----
/** GFLOP/s of `run` (which does `flops` of work) over one timed window of `seconds`. */
function gflopsOver(run, flops) {
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    run();
    reps++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds);
  return (flops * reps) / elapsed / 1e9;
}

/** Best of `trials` windows after one warm-up call. */
function timeBest(run, flops) {
  run();
  let best = 0;
  for (let trial = 0; trial < trials; trial++) best = Math.max(best, gflopsOver(run, flops));
  return best;
}

function filled(length) {
  const values = new Float32Array(length);
  for (let index = 0; index < length; index++) values[index] = Math.sin(index * 0.37);
  return values;
}

// ---- tfjs (through the registered kernel, and the original wasm kernel) ----
await runtime.initBackend({ prefer: 'wasm' });
const { tf, setNativeMatmul } = runtime;
function tfGflops(shape, native) {
  const { m, n, k } = shape;
  if (!native && 2 * m * n * k > 2 ** 34) return undefined; // 4096² on wasm: ~6 s a product
  setNativeMatmul(native);
  const a = tf.tensor2d(filled(m * k), [m, k]), b = tf.tensor2d(filled(k * n), [k, n]);
  try {
    return timeBest(() => tf.matMul(a, b).dispose(), 2 * m * n * k);
  } finally {
    setNativeMatmul(true);
    tf.dispose([a, b]);
  }
}

// ---- OpenBLAS via numpy ----
function ensureNumpy() {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  if (probe.status === 0) return;
  console.log('installing python3-numpy and libopenblas0-openmp with apt …');
  execFileSync('apt-get', ['install', '-y', '-q', 'python3-numpy', 'libopenblas0-openmp'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function openblasServer(threads) {
  const environment = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  delete environment.OPENBLAS_CORETYPE;
  delete environment.OPENBLAS_L2_SIZE;
  const child = spawn('/usr/bin/python3', [join(here, 'openblas.py')], { env: environment, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value);
  return {
    info: next(),
    async trial(shape) {
      child.stdin.write(`${JSON.stringify({ m: shape.m, n: shape.n, k: shape.k, seconds })}\n`);
      return (await next()).gflops;
    },
    close: () => child.stdin.end(),
  };
}

function nativeTrial(shape, threads) {
  const { m, n, k } = shape;
  shape.buffers ??= { a: filled(m * k), b: filled(k * n), c: new Float32Array(m * n) };
  const { a, b, c } = shape.buffers;
  return gflopsOver(() => binding.sgemm(a, 0, b, 0, c, 0, 1, m, n, k, k, 1, 0, n, 1, 0, n, 0, null, 0, 0, 0, threads), 2 * m * n * k);
}

ensureNumpy();
const loadBefore = loadavg()[0];
const servers = Object.fromEntries(threadCounts.map((threads) => [threads, openblasServer(threads)]));
const blasInfo = await servers[1].info;
for (const threads of threadCounts.slice(1)) await servers[threads].info;
const rows = shapes.map((shape) => ({ ...shape, native: {}, blas: {} }));
// Trial by trial, native then OpenBLAS at each thread count, so both see the same load;
// the best trial of each is kept.
for (const row of rows) {
  for (const threads of threadCounts) nativeTrial(row, threads), await servers[threads].trial(row); // warm-up
  for (let trial = 0; trial < trials; trial++)
    for (const threads of threadCounts) {
      row.native[threads] = Math.max(row.native[threads] ?? 0, nativeTrial(row, threads));
      row.blas[threads] = Math.max(row.blas[threads] ?? 0, await servers[threads].trial(row));
    }
  delete row.buffers;
  process.stderr.write('.');
}
for (const server of Object.values(servers)) server.close();
process.stderr.write('\n');
for (const row of rows) {
  row.tfNative = tfGflops(row, true);
  row.wasm = tfGflops(row, false);
}
const loadAfter = loadavg()[0];

// ---- report ----
const top = Math.max(...threadCounts);
const f = (value) => (value === undefined ? '—' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
const r = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '—');
const header = `| shape | native 1T | native ${top}T | OpenBLAS 1T | OpenBLAS ${top}T | native/OpenBLAS 1T | native/OpenBLAS ${top}T | tf.matMul native ${top}T | tfjs-wasm (before) | tf native / wasm |`;
const lines = [header, `|${' --- |'.repeat(10)}`];
for (const row of rows) {
  lines.push(`| ${row.label} | ${f(row.native[1])} | ${f(row.native[top])} | ${f(row.blas[1])} | ${f(row.blas[top])} | ${r(row.native[1] / row.blas[1])} | ${r(row.native[top] / row.blas[top])} | ${f(row.tfNative)} | ${f(row.wasm)} | ${r(row.tfNative / row.wasm)} |`);
}
const big = rows.filter((row) => row.group === 'square' && row.m >= 1024);
const geo = (values) => Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
const summary = [
  `native / OpenBLAS at ≥ 1024² (geometric mean): ${r(geo(big.map((row) => row.native[1] / row.blas[1])))} on 1 thread, ${r(geo(big.map((row) => row.native[top] / row.blas[top])))} on ${top}`,
  `tf.matMul native / tfjs-wasm over all shapes measured on both (geometric mean): ${r(geo(rows.filter((row) => row.wasm).map((row) => row.tfNative / row.wasm)))}`,
];
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs, ISA ${status.isa}; numpy ${blasInfo.numpy}, BLAS ${blasInfo.blas}; 1-min load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`;
const table = lines.join('\n');
console.log(`${machine}\n\n${table}\n\n${summary.join('\n')}`);

if (write && !quick) {
  const document = `# Native kernels: GEMM against OpenBLAS and tfjs-wasm

Command (from the repo root, after \`npm run build\`; installs python3-numpy and
libopenblas0-openmp with apt when missing):

\`\`\`
node packages/kernels/bench/gemm.mjs
\`\`\`

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}.
GFLOP/s, float32, C = A·B with A [m, k] and B [k, n] row-major (the model's \`x·W\`),
best of ${trials} trials of ≥ ${seconds * 1000} ms each. *native* calls the addon on
Float32Arrays; *tf.matMul native* is the same kernel reached through TensorFlow.js
(the registered wasm-backend kernel, tensors in the wasm heap, including tfjs's
per-op overhead); *tfjs-wasm* is the backend's own kernel (\`setNativeMatmul(false)\`),
skipped where one product would take seconds. OpenBLAS runs through numpy in a child
process with \`OMP_NUM_THREADS\` set and \`OPENBLAS_CORETYPE\`/\`OPENBLAS_L2_SIZE\`
removed. The machine is shared, so absolute numbers move between runs; the ratios
come from the same run.

${summary.map((line) => `- ${line}`).join('\n')}

${table}
`;
  // Sections after the marker (end-to-end numbers measured with other commands) are kept.
  const target = join(root, 'docs', 'benchmarks', 'kernels.md');
  const marker = '<!-- end-to-end: kept by bench/gemm.mjs -->';
  const previous = existsSync(target) ? readFileSync(target, 'utf8') : '';
  const kept = previous.includes(marker) ? `\n${previous.slice(previous.indexOf(marker))}` : '';
  mkdirSync(join(root, 'docs', 'benchmarks'), { recursive: true });
  writeFileSync(target, document + kept);
  console.log('\nwrote docs/benchmarks/kernels.md');
}
