/**
 * A per-request constraint on which tokens may come next (e.g. JSON mode: only
 * tokens that keep the output a valid JSON prefix). The runner hands it each
 * sample's logits row before sampling; it returns the row to sample from, with
 * disallowed entries set to -Infinity (a copy — the raw row is shared).
 */
export interface TokenConstraint {
  mask(sampleIndex: number, generated: readonly number[], logits: Float32Array): Float32Array;
  /**
   * How another thread rebuilds this constraint (a constraint is an object with
   * state and methods, so it cannot cross to a replica worker itself). Without it, a
   * ReplicaPool refuses the request.
   */
  readonly portable?: PortableConstraint;
}

/** A constraint as data: `module` (an ES module URL) exports `factory`, a ConstraintFactory. */
export interface PortableConstraint {
  module: string;
  factory: string;
  /** Structured-clone data for the factory. */
  options: unknown;
}

/** Builds a fresh constraint in a replica, from its own tokenizer (the folder's) and the request's options. */
export type ConstraintFactory = (context: { tokenizer?: unknown }, options: never) => TokenConstraint;
