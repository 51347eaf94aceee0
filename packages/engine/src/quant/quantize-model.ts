/**
 * Weight-only quantization of a whole model (W8A16 / W4A16): every linear weight
 * of every layer becomes a group-wise int8/int4 matrix (optionally AWQ-scaled from
 * calibration sequences); embeddings, the classifier and norms stay float32, as in
 * AWQ and llama.cpp's Q4 recipes.
 *
 * At run time the tfjs wasm backend has no int8/int4 kernels, so the engine
 * dequantizes once at load (`createQuantizedModel`): the quantized form is what is
 * stored and shipped (≈ 1/4 or 1/7 of the float bytes), while compute reads float32
 * weights that carry exactly the quantization error. Memory and perplexity change
 * are reported by the bench.
 */
import { createModel, fromCanonicalWeights, type Model, type ModelConfig, type WeightMap } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import { EngineError } from '../errors.js';
import { awqQuantize } from './awq.js';
import { collectCalibration } from './calibrate.js';
import { dequantizeMatrix, quantizedBytes, type QuantBits, type QuantizedMatrix } from '@chainlm/model';
import { quantizeLinear } from './linear-quant.js';

export interface QuantizeOptions {
  bits: QuantBits;
  /** Inputs per scale group (default 64, or the largest divisor of the input size below it). */
  groupSize?: number;
  /** Calibration token sequences: when given, AWQ scaling is searched per matrix. */
  calibrationTokenIds?: number[][];
}

export interface MatrixReport {
  name: string;
  alpha: number;
  error: number;
  plainError: number;
}

export interface QuantizedModel {
  config: ModelConfig;
  bits: QuantBits;
  /** Canonical (HF Llama) name → quantized linear weight, HF layout [out, in]. */
  matrices: Map<string, QuantizedMatrix>;
  /** Everything kept float32 (embeddings, norms, biases, classifier), HF layout. */
  dense: WeightMap;
  reports: MatrixReport[];
}

const linearName = /^model\.layers\.\d+\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)\.weight$/;

export function quantizeModel(model: Model, options: QuantizeOptions): QuantizedModel {
  if (options.bits !== 4 && options.bits !== 8) throw new EngineError('engine-quant-invalid', `bits must be 4 or 8, got ${options.bits}`, 'use bits: 4 (W4A16) or 8 (W8A16)');
  const calibration = options.calibrationTokenIds?.length ? collectCalibration(model, options.calibrationTokenIds) : undefined;
  const matrices = new Map<string, QuantizedMatrix>();
  const dense: WeightMap = new Map();
  const reports: MatrixReport[] = [];
  for (const parameter of model.parameters()) {
    const hfLayout = tf.tidy(() => (parameter.transposed ? tf.transpose(parameter.variable) : parameter.variable.clone()));
    const data = Float32Array.from(hfLayout.dataSync() as Float32Array);
    const shape = [...hfLayout.shape];
    hfLayout.dispose();
    if (!linearName.test(parameter.name)) {
      dense.set(parameter.name, { shape, dtype: 'F32', data });
      continue;
    }
    const [rows, cols] = shape;
    const groupSize = fitGroupSize(cols, options.groupSize ?? 64);
    const inputs = calibration?.get(parameter.name);
    if (inputs) {
      const result = awqQuantize(data, rows, cols, options.bits, groupSize, inputs);
      matrices.set(parameter.name, result.matrix);
      reports.push({ name: parameter.name, alpha: result.alpha, error: result.error, plainError: result.plainError });
    } else {
      matrices.set(parameter.name, quantizeLinear(data, rows, cols, options.bits, groupSize));
    }
  }
  return { config: model.config, bits: options.bits, matrices, dense, reports };
}

/** Back to float32 HF-named weights (this architecture's names) for createModel. */
export function dequantizeWeights(quantized: QuantizedModel): WeightMap {
  const canonical: WeightMap = new Map(quantized.dense);
  for (const [name, matrix] of quantized.matrices) canonical.set(name, { shape: [matrix.rows, matrix.columns], dtype: 'F32', data: dequantizeMatrix(matrix) });
  return fromCanonicalWeights(quantized.config, canonical);
}

export function createQuantizedModel(quantized: QuantizedModel): Model {
  return createModel(quantized.config, dequantizeWeights(quantized));
}

/** Bytes of the quantized form (quantized matrices + float32 rest). */
export function quantizedModelBytes(quantized: QuantizedModel): number {
  let bytes = 0;
  for (const matrix of quantized.matrices.values()) bytes += quantizedBytes(matrix);
  for (const tensor of quantized.dense.values()) bytes += tensor.data.byteLength;
  return bytes;
}

function fitGroupSize(cols: number, wanted: number): number {
  for (let size = Math.min(wanted, cols); size >= 1; size--) if (cols % size === 0) return size;
  return cols;
}
