export { loadKernels, nativeBinding, configureKernels, parseThreads, parseMode, addonPath, installFailurePath, resetKernelsForTest, type KernelsStatus, type NativeBinding, type NativeInfo } from './load.js';
export { sgemm, denseStrides, type SgemmOptions, type GemmStrides } from './sgemm.js';
export { KernelsError, type KernelsErrorCode } from './errors.js';
