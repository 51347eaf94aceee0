/**
 * Global-norm clipping over the flat gradient buffer: ‖g‖₂ summed in float64, and
 * when it exceeds `maxNorm` every gradient is scaled by maxNorm/‖g‖. Returns the
 * norm before clipping (what the metrics report). `maxNorm` 0 turns clipping off.
 */
export function globalNorm(grads: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < grads.length; index++) sum += grads[index] * grads[index];
  return Math.sqrt(sum);
}

export function clipGlobalNorm(grads: Float32Array, maxNorm: number): number {
  const norm = globalNorm(grads);
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (let index = 0; index < grads.length; index++) grads[index] *= scale;
  }
  return norm;
}
