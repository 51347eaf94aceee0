/**
 * A per-request constraint on which tokens may come next (e.g. JSON mode: only
 * tokens that keep the output a valid JSON prefix). The runner hands it each
 * sample's logits row before sampling; it returns the row to sample from, with
 * disallowed entries set to -Infinity (a copy — the raw row is shared).
 */
export interface TokenConstraint {
  mask(sampleIndex: number, generated: readonly number[], logits: Float32Array): Float32Array;
}
