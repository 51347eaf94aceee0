/**
 * The unbiased pass@k estimator of Chen et al. 2021 (HumanEval): with n samples
 * of which c pass, pass@k = 1 − C(n−c, k) / C(n, k), computed as the product
 * 1 − Π_{i=n−c+1..n} (1 − k/i) to avoid huge binomials.
 */
import { EvalError } from '../errors.js';

export function passAtK(n: number, c: number, k: number): number {
  if (k > n) {
    throw new EvalError('eval-dataset-format', `pass@${k} needs at least ${k} samples per problem, got ${n}`, `set the gen inferencer's n to at least ${k}`);
  }
  if (n - c < k) return 1;
  let product = 1;
  for (let i = n - c + 1; i <= n; i++) product *= 1 - k / i;
  return 1 - product;
}
