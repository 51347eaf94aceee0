/**
 * The train package's error catalogue. Every error a user can cause has a stable
 * code, a message naming the file/field/run, and a hint that says how to fix it.
 */
import { ChainlmError } from '@chainlm/core';

export const trainErrorCodes = {
  runNotFound: 'train-run-not-found',
  runFinished: 'train-run-finished',
  checkpointMissing: 'train-checkpoint-missing',
  checkpointCorrupt: 'train-checkpoint-corrupt',
  dataMissing: 'train-data-missing',
  dataTooSmall: 'train-data-too-small',
  modelMissing: 'train-model-missing',
  loraTargets: 'train-lora-targets',
  nonFinite: 'train-non-finite',
  worker: 'train-worker',
} as const;

export type TrainErrorCode = (typeof trainErrorCodes)[keyof typeof trainErrorCodes];

export function trainError(code: TrainErrorCode, message: string, hint: string, exitCode: 1 | 2 = 1): ChainlmError {
  return new ChainlmError(code, message, { hint, exitCode });
}
