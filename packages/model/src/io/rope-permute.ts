/**
 * Meta (llama2.c, GGUF) and HF order the rows of q_proj/k_proj differently for RoPE.
 * Meta rotates interleaved pairs (rows 2i, 2i+1 of each head); HF's rotate_half
 * pairs row i with row i + headDim/2. Converting is a row permutation per head:
 *   HF row   h·d + j·d/2 + i  =  Meta row  h·d + 2i + j     (i < d/2, j ∈ {0, 1})
 * which is transformers' `permute(w, n_heads, dim1, dim2)` in
 * convert_llama_weights_to_hf.py; GGUF export applies the inverse, as llama.cpp's
 * convert_hf_to_gguf.py does. For k use the number of KV heads.
 */

/** Meta interleaved → HF rotate_half. `weights` is [rows, columns] row-major, rows = heads·headDim. */
export function metaToHfRows(weights: Float32Array, heads: number, rows: number, columns: number): Float32Array {
  return permuteRows(weights, heads, rows, columns, true);
}

/** HF rotate_half → Meta interleaved (the inverse of metaToHfRows). */
export function hfToMetaRows(weights: Float32Array, heads: number, rows: number, columns: number): Float32Array {
  return permuteRows(weights, heads, rows, columns, false);
}

function permuteRows(weights: Float32Array, heads: number, rows: number, columns: number, toHf: boolean): Float32Array {
  if (weights.length !== rows * columns) throw new Error(`rope permutation: ${weights.length} values do not form [${rows}, ${columns}]`);
  const headDim = rows / heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new Error(`rope permutation: ${rows} rows do not split into ${heads} heads of even size`);
  const half = headDim / 2;
  const out = new Float32Array(weights.length);
  for (let head = 0; head < heads; head++) {
    for (let pair = 0; pair < half; pair++) {
      for (let side = 0; side < 2; side++) {
        const meta = head * headDim + 2 * pair + side;
        const hf = head * headDim + side * half + pair;
        const [from, to] = toHf ? [meta, hf] : [hf, meta];
        out.set(weights.subarray(from * columns, (from + 1) * columns), to * columns);
      }
    }
  }
  return out;
}
