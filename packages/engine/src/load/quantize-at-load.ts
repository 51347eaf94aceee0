/**
 * Weight-only quantization of a float model as it is loaded (W8A16/W4A16, group-wise;
 * AWQ-scaled when calibration texts are given), and the summary a server reports.
 */
import type { Model, Tokenizer } from '@chainlm/model';
import { EngineError } from '../errors.js';
import { quantizeModel, quantizedModelBytes, type QuantizedModel } from '../quant/quantize-model.js';

export type QuantScheme = 'w4a16' | 'w8a16';

export interface QuantOptions {
  scheme: QuantScheme;
  /** Inputs per scale group (default 64). */
  groupSize?: number;
  /** AWQ: activation-aware scaling searched on these texts (needs a tokenizer). */
  calibrationTexts?: string[];
}

/** The quantization of loaded weights, in bytes. */
export interface WeightQuantization {
  scheme: QuantScheme;
  groupSize: number;
  /** Scales searched on calibration activations (AWQ). */
  awq: boolean;
  /** Bytes of the quantized form (int matrices + scales + float32 rest). */
  storedBytes: number;
  /** Bytes of the same weights as float32. */
  floatBytes: number;
}

/** Tokens of each calibration text that AWQ looks at. */
const calibrationTokens = 128;

export function quantizeAtLoad(model: Model, quant: QuantOptions, tokenizer: Tokenizer | undefined, dir: string): QuantizedModel {
  const texts = (quant.calibrationTexts ?? []).filter((text) => text.trim().length > 0);
  if (quant.calibrationTexts && texts.length === 0) {
    throw new EngineError('engine-quant-invalid', 'the AWQ calibration file has no text', 'give a file with one calibration text per line');
  }
  if (texts.length > 0 && !tokenizer) {
    throw new EngineError('engine-quant-invalid', `${dir} has no tokenizer, so AWQ calibration texts cannot be tokenized`, 'drop --awq-calibration (plain group-wise quantization), or add the tokenizer files');
  }
  const calibrationTokenIds = texts.map((text) => tokenizer!.encode(text, { addSpecialTokens: true }).slice(0, calibrationTokens)).filter((ids) => ids.length > 1);
  return quantizeModel(model, { bits: quant.scheme === 'w4a16' ? 4 : 8, groupSize: quant.groupSize ?? 64, ...(calibrationTokenIds.length > 0 ? { calibrationTokenIds } : {}) });
}

export function summarizeQuantization(quantized: QuantizedModel, awq: boolean): WeightQuantization {
  let floatBytes = 0;
  for (const matrix of quantized.matrices.values()) floatBytes += matrix.rows * matrix.columns * 4;
  for (const tensor of quantized.dense.values()) floatBytes += tensor.data.length * 4;
  const groupSize = quantized.matrices.values().next().value?.groupSize ?? 0;
  return { scheme: quantized.bits === 4 ? 'w4a16' : 'w8a16', groupSize, awq, storedBytes: quantizedModelBytes(quantized), floatBytes };
}

/** One line for a startup log: the memory the quantized weights save. */
export function describeQuantization(quantization: WeightQuantization): string {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  const saved = quantization.floatBytes - quantization.storedBytes;
  return (
    `${quantization.scheme}${quantization.awq ? ' (AWQ)' : ''}, group ${quantization.groupSize}: weights ${mib(quantization.storedBytes)} instead of ${mib(quantization.floatBytes)} ` +
    `float32 — ${mib(saved)} saved (${((saved / quantization.floatBytes) * 100).toFixed(0)}%); compute reads float32 weights dequantized once at load (the wasm backend has no int4/int8 kernels)`
  );
}
