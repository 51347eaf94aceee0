/**
 * Test helper: a portable TokenConstraint that allows only the given token ids, so
 * a ReplicaPool test can check that a constraint crosses to a worker and is applied.
 */
import type { ConstraintFactory, TokenConstraint } from '../sampling/constraint.js';
import { builtModuleUrl } from '@chainlm/core';

export const createAllowListConstraint = ((_context: unknown, options: { allowed: number[] }): TokenConstraint => {
  const allowed = new Set(options.allowed);
  return {
    mask: (_sampleIndex, _generated, logits) => logits.map((value, id) => (allowed.has(id) ? value : -Infinity)),
    portable: { module: builtModuleUrl(import.meta.url), factory: 'createAllowListConstraint', options },
  };
}) satisfies ConstraintFactory;
