/**
 * Host-side weights as every weight format reads and writes them. Values are decoded
 * to float32 for compute (F16/BF16 → F32 is exact, and F32 → F16/BF16 of such a value
 * is exact again, so round trips stay bit-exact); `dtype` records the stored type.
 */
export type DType = 'F32' | 'F16' | 'BF16';

export interface NamedTensor {
  shape: number[];
  dtype: DType;
  data: Float32Array;
}

/** Tensor name (HF naming, e.g. `model.layers.0.self_attn.q_proj.weight`) → tensor. */
export type WeightMap = Map<string, NamedTensor>;
