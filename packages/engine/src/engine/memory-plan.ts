/**
 * How many KV blocks fit, decided once at start and printed, because this is what
 * vLLM and LMDeploy users are most often surprised by. The budget is either an
 * explicit GiB figure or `cacheMaxEntryCount` × the memory left after the weights
 * (the wasm heap's 4 GiB ceiling for tensor pools, free host memory otherwise).
 */
import { freemem } from 'node:os';
import { EngineError } from '../errors.js';
import type { EngineConfig } from '../config/engine-config.js';
import type { StepModelShape } from '../model-contract.js';

export const wasmHeapLimitBytes = 4 * 1024 ** 3;
const GiB = 1024 ** 3;

export interface MemoryPlan {
  weightBytes: number;
  kvBytesPerToken: number;
  kvBytesPerBlock: number;
  budgetBytes: number;
  budgetSource: string;
  numBlocks: number;
  kvBytes: number;
  /** numBlocks × blockSize. */
  tokensThatFit: number;
  /** min(maxModelLen, tokensThatFit): the longest prompt + output one request may have. */
  maxContextPerRequest: number;
}

export function kvBytesPerToken(shape: StepModelShape, dtype: EngineConfig['kvCacheDtype']): number {
  const perHead = dtype === 'int8' ? shape.headDim + 4 : shape.headDim * 4;
  return 2 * shape.numLayers * shape.numKvHeads * perHead;
}

export function planMemory(shape: StepModelShape, weightBytes: number, config: EngineConfig, availableBytes: number): MemoryPlan {
  const perToken = kvBytesPerToken(shape, config.kvCacheDtype);
  const perBlock = perToken * config.blockSize;
  const maxModelLen = config.maxModelLen ?? shape.maxPositionEmbeddings;
  const budgetBytes = config.cacheGiB !== undefined ? config.cacheGiB * GiB : config.cacheMaxEntryCount * availableBytes;
  const budgetSource = config.cacheGiB !== undefined ? `cacheGiB ${config.cacheGiB}` : `cacheMaxEntryCount ${config.cacheMaxEntryCount} × ${(availableBytes / GiB).toFixed(2)} GiB free`;
  let numBlocks = Math.floor(budgetBytes / perBlock);
  if (config.capToUsable) numBlocks = Math.min(numBlocks, config.maxSeqs * Math.ceil(maxModelLen / config.blockSize));
  if (numBlocks < 1) {
    throw new EngineError('engine-cache-too-small', `the KV budget (${budgetSource} = ${budgetBytes} bytes) holds no ${perBlock}-byte block`, 'raise --cache-max-entry-count or --cache-gib, or lower --block-size', 2);
  }
  const tokensThatFit = numBlocks * config.blockSize;
  return {
    weightBytes,
    kvBytesPerToken: perToken,
    kvBytesPerBlock: perBlock,
    budgetBytes,
    budgetSource,
    numBlocks,
    kvBytes: numBlocks * perBlock,
    tokensThatFit,
    maxContextPerRequest: Math.min(maxModelLen, tokensThatFit),
  };
}

/** Memory the KV pools may draw on: the wasm heap's ceiling when pools live there, else free host memory. */
export function availableMemory(store: 'wasm-heap' | 'host' | 'int8', bytesInUse: number): number {
  return store === 'wasm-heap' ? Math.max(0, wasmHeapLimitBytes - bytesInUse) : freemem();
}

export function formatMemoryPlan(plan: MemoryPlan): string {
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return [
    'memory plan:',
    `  weights              ${mib(plan.weightBytes)}`,
    `  KV per token         ${plan.kvBytesPerToken} bytes; per block ${plan.kvBytesPerBlock} bytes`,
    `  KV budget            ${mib(plan.budgetBytes)} (${plan.budgetSource})`,
    `  KV blocks            ${plan.numBlocks} (${mib(plan.kvBytes)})`,
    `  tokens that fit      ${plan.tokensThatFit}`,
    `  largest context      ${plan.maxContextPerRequest} tokens per request`,
  ].join('\n');
}
