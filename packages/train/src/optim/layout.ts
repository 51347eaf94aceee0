/**
 * A flat layout of the trainable parameters: one Float32Array holds all of them
 * back to back, so the optimizer, clipping, gradient averaging across workers and
 * checkpoints each work on one buffer (allocated once) instead of per-tensor pieces.
 */
export interface ParamSlot {
  name: string;
  shape: number[];
  /** Start index in the flat buffer (elements, not bytes). */
  offset: number;
  size: number;
  /** Decoupled weight decay applies: matrices only, never norms, biases or 1-D params. */
  decay: boolean;
}

export interface ParamLayout {
  slots: ParamSlot[];
  /** Total elements. */
  size: number;
}

export function buildLayout(params: { name: string; shape: number[] }[]): ParamLayout {
  let offset = 0;
  const slots = params.map(({ name, shape }) => {
    const size = shape.reduce((product, dim) => product * dim, 1);
    const slot = { name, shape: [...shape], offset, size, decay: shouldDecay(name, shape) };
    offset += size;
    return slot;
  });
  return { slots, size: offset };
}

export function shouldDecay(name: string, shape: number[]): boolean {
  return shape.length >= 2 && !/norm|bias/i.test(name);
}
