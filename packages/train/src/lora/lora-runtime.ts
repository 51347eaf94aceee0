/**
 * LoRA on a live model. For each adapted module m with base weight W (held [in, out]
 * by the model) it adds trainable a [in, rank] (= Aᵀ) and b [rank, out] (= Bᵀ), and
 * hooks the module's projection so that
 *   y = x·W + scale · dropout(x)·a·b,   scale = alpha / rank.
 * Init as PEFT: A ~ U(−1/√in, 1/√in), B = 0, so the adapted model starts equal to the base.
 * The base is frozen (variable.trainable = false). For QLoRA every linear weight of
 * the decoder layers is replaced by a quantized copy (quantize.ts) and the fp32
 * variable is freed; the hook dequantizes it per layer, per forward.
 */
import { dequantizeMatrix, loraScale, quantizeMatrix, quantizedBytes, type LoraAdapter, type Model, type QuantizedMatrix } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import type { LoraConfig } from '../config/schema.js';
import { SeededRandom } from '@chainlm/core';
import { findTargetModules } from './adapter-weights.js';
import type { LinearHook, LinearHooks } from '../forward/decoder.js';
import { linearModules } from './model-hooks.js';

/** Target names (HF Llama and InternLM2) → the model's canonical module leaf names. */
const canonicalTargets: Record<string, string[]> = {
  q_proj: ['q_proj'], k_proj: ['k_proj'], v_proj: ['v_proj'], o_proj: ['o_proj'],
  gate_proj: ['gate_proj'], up_proj: ['up_proj'], down_proj: ['down_proj'],
  wqkv: ['q_proj', 'k_proj', 'v_proj'], wo: ['o_proj'], w1: ['gate_proj'], w3: ['up_proj'], w2: ['down_proj'],
};

/** tf variable names must be unique per process. */
let variableCounter = 0;

export interface LoraRuntime {
  /** Trainable variables, named `<module>.lora_a` [in, rank] and `<module>.lora_b` [rank, out]. */
  parameters: { name: string; variable: tf.Variable }[];
  modules: string[];
  /** undefined = no dropout (evaluation). */
  setDropoutSeed(seed: number | undefined): void;
  /** Host adapter in HF/PEFT layout (A [rank, in], B [out, rank]). */
  toAdapter(): LoraAdapter;
  memory: { baseFp32Bytes: number; baseStoredBytes: number };
  dispose(): void;
}

export function attachLora(model: Model, hooks: LinearHooks, config: LoraConfig, options: { seed: number; quantize: boolean }): LoraRuntime {
  const leaves = [...new Set(config.targetModules.flatMap((target) => canonicalTargets[target] ?? [target]))];
  const weightsByModule = linearModules(model);
  const targets = findTargetModules([...weightsByModule.keys()].map((module) => `${module}.weight`), leaves);
  const rng = new SeededRandom(options.seed ^ 0x10a4);
  const scale = loraScale(config);
  let dropoutSeed: number | undefined;
  const parameters: { name: string; variable: tf.Variable }[] = [];
  const installed = new Map<string, LinearHook>();
  const memory = { baseFp32Bytes: 0, baseStoredBytes: 0 };
  for (const parameter of model.parameters()) parameter.variable.trainable = false;

  const quantized = new Map<string, { matrix: QuantizedMatrix; scratch: Float32Array<ArrayBuffer> }>();
  for (const [module, variable] of weightsByModule) {
    memory.baseFp32Bytes += variable.size * 4;
    if (!options.quantize) {
      memory.baseStoredBytes += variable.size * 4;
      continue;
    }
    const [inFeatures, outFeatures] = variable.shape;
    const matrix = quantizeMatrix(variable.dataSync() as Float32Array, inFeatures, outFeatures, config.quantBits, config.groupSize);
    quantized.set(module, { matrix, scratch: new Float32Array(variable.size) });
    memory.baseStoredBytes += quantizedBytes(matrix);
  }

  targets.forEach((module, moduleIndex) => {
    const [inFeatures, outFeatures] = weightsByModule.get(module)!.shape;
    const bound = 1 / Math.sqrt(inFeatures);
    const aValues = Float32Array.from({ length: inFeatures * config.rank }, () => (rng.next() * 2 - 1) * bound);
    const a = tf.variable(tf.tensor2d(aValues, [inFeatures, config.rank]), true, `lora${++variableCounter}/${module}.lora_a`);
    const b = tf.variable(tf.zeros([config.rank, outFeatures]), true, `lora${variableCounter}/${module}.lora_b`);
    parameters.push({ name: `${module}.lora_a`, variable: a }, { name: `${module}.lora_b`, variable: b });
    installed.set(module, {
      delta: (x) => {
        const dropped = config.dropout > 0 && dropoutSeed !== undefined ? tf.dropout(x, config.dropout, undefined, dropoutSeed * 131 + moduleIndex) : x;
        return tf.mul(tf.matMul(tf.matMul(dropped, a), b), scale) as tf.Tensor2D;
      },
    });
  });
  for (const [module, { matrix, scratch }] of quantized) {
    const hook = installed.get(module) ?? {};
    hook.weight = () => tf.tensor2d(dequantizeMatrix(matrix, scratch), [matrix.rows, matrix.columns]);
    installed.set(module, hook);
    weightsByModule.get(module)!.dispose(); // the fp32 base is gone; only the quantized copy stays
  }
  for (const [module, hook] of installed) hooks.set(module, hook);

  return {
    parameters,
    modules: targets,
    setDropoutSeed: (seed) => {
      dropoutSeed = seed;
    },
    toAdapter: () => {
      const adapter: LoraAdapter = { rank: config.rank, alpha: config.alpha, dropout: config.dropout, targetModules: [...config.targetModules], modules: new Map() };
      for (let index = 0; index < parameters.length; index += 2) {
        const module = targets[index / 2];
        const a = parameters[index].variable; // [in, rank]
        const b = parameters[index + 1].variable; // [rank, out]
        const [inFeatures] = a.shape;
        const [, outFeatures] = b.shape;
        adapter.modules.set(module, {
          a: hostTranspose(a), // [rank, in]
          b: hostTranspose(b), // [out, rank]
          rank: config.rank,
          inFeatures,
          outFeatures,
        });
      }
      return adapter;
    },
    memory,
    dispose: () => {
      for (const module of installed.keys()) hooks.delete(module);
      for (const { variable } of parameters) variable.dispose();
    },
  };
}

function hostTranspose(variable: tf.Variable): Float32Array {
  const transposed = tf.tidy(() => tf.transpose(variable));
  const data = Float32Array.from(transposed.dataSync() as Float32Array);
  transposed.dispose();
  return data;
}
