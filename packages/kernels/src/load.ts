/**
 * Loads the native addon once per thread (the addon itself is loaded once per process;
 * its thread pool is shared by every worker thread) and says why when it cannot:
 * CHAINLM_KERNELS=wasm forces it off, a build that failed at install left its reason in
 * build/install-failure.txt, and a load error (wrong Node ABI, missing file) is kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { KernelsError } from './errors.js';

/** What the native addon exports (native/addon.cc). */
export interface NativeBinding {
  info(): NativeInfo;
  configure(threads: number, isa?: string | null): NativeInfo;
  sgemm(
    a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, c: Float32Array, cOffset: number,
    batch: number, m: number, n: number, k: number,
    aRow: number, aCol: number, aBatch: number, bRow: number, bCol: number, bBatch: number, cRow: number, cBatch: number,
    bias: Float32Array | null, biasOffset: number, activation: number, accumulate: number, threads: number,
  ): void;
}

export interface NativeInfo {
  /** The ISA whose kernels run: 'avx512' | 'avx2' | 'portable'. */
  isa: string;
  /** The best ISA this CPU supports (what runs unless configure() picked another). */
  detected: string;
  /** Threads a GEMM uses (the caller included). */
  threads: number;
  poolThreads: number;
  cpus: number;
  /** ISAs compiled in that this CPU runs. */
  supported: string[];
}

export type KernelsStatus =
  | { live: 'native'; isa: string; threads: number; cpus: number; supported: string[] }
  | { live: 'wasm'; reason: string };

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
export const addonPath = `${packageRoot}build/Release/chainlm_kernels.node`;
export const installFailurePath = `${packageRoot}build/install-failure.txt`;

let loaded: { binding?: NativeBinding; status: KernelsStatus } | undefined;

/** Parses CHAINLM_THREADS: unset or empty → undefined (one per core). */
export function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new KernelsError('kernels-threads-invalid', `CHAINLM_THREADS="${value}" is not a thread count`, 'set CHAINLM_THREADS to an integer from 1 to 1024, or unset it to use one thread per core');
  }
  return threads;
}

/** Parses CHAINLM_KERNELS: unset, 'native' or 'wasm'. */
export function parseMode(value: string | undefined): 'native' | 'wasm' {
  if (value === undefined || value === '' || value === 'native') return 'native';
  if (value === 'wasm') return 'wasm';
  throw new KernelsError('kernels-mode-invalid', `CHAINLM_KERNELS="${value}" is not a kernel choice`, 'set CHAINLM_KERNELS=native (the default) or CHAINLM_KERNELS=wasm to turn the native kernels off');
}

function attempt(environment: NodeJS.ProcessEnv): { binding?: NativeBinding; status: KernelsStatus } {
  try {
    if (parseMode(environment.CHAINLM_KERNELS) === 'wasm') return { status: { live: 'wasm', reason: 'turned off by CHAINLM_KERNELS=wasm' } };
    const threads = parseThreads(environment.CHAINLM_THREADS);
    if (!existsSync(addonPath)) {
      const failure = existsSync(installFailurePath) ? readFileSync(installFailurePath, 'utf8').trim().split('\n').slice(-1)[0] : 'it was never built';
      return { status: { live: 'wasm', reason: `native kernels not built (${failure}); build them with \`npm rebuild -w @chainlm/kernels\` (needs a C++ compiler)` } };
    }
    const binding = createRequire(import.meta.url)(addonPath) as NativeBinding;
    const info = threads === undefined ? binding.info() : binding.configure(threads);
    return { binding, status: { live: 'native', isa: info.isa, threads: info.threads, cpus: info.cpus, supported: info.supported } };
  } catch (error) {
    return { status: { live: 'wasm', reason: `native kernels failed to load: ${(error as Error).message.split('\n')[0]}` } };
  }
}

/** Loads once; later calls return the same answer. */
export function loadKernels(environment: NodeJS.ProcessEnv = process.env): KernelsStatus {
  loaded ??= attempt(environment);
  return loaded.status;
}

/** The live binding, or a KernelsError saying why there is none. */
export function nativeBinding(): NativeBinding {
  const status = loadKernels();
  if (loaded?.binding === undefined) {
    throw new KernelsError('kernels-not-loaded', `native kernels are not live: ${status.live === 'wasm' ? status.reason : 'unknown'}`, 'check `chainlm doctor`; everything still runs on the wasm kernels');
  }
  return loaded.binding;
}

/** Sets the thread count (and, for tests and benchmarks, the ISA) process-wide. */
export function configureKernels(options: { threads?: number; isa?: string }): KernelsStatus {
  const binding = nativeBinding();
  const info = binding.configure(options.threads ?? binding.info().threads, options.isa ?? null);
  loaded = { binding, status: { live: 'native', isa: info.isa, threads: info.threads, cpus: info.cpus, supported: info.supported } };
  return loaded.status;
}

/** For tests: forget the cached answer so the next loadKernels() reads the environment again. */
export function resetKernelsForTest(): void {
  loaded = undefined;
}
