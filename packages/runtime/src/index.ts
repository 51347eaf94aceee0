export { initBackend, memoryReport, probeMatmul, backendNames, tf, type BackendName, type BackendReport, type BackendAttempt, type MemoryReport } from './backend.js';
export { registerWasmExtraKernels } from './wasm-kernels.js';
export { installNativeMatmul, nativeMatmulStatus, setNativeMatmul, nativeMatmulCounts } from './native-matmul.js';
export type { KernelsStatus } from '@chainlm/kernels';
