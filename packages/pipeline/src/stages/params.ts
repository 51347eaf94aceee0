import { validateConfig } from '@chainlm/core';
import type { z } from 'zod';

/** Validates a stage's `with:` block against the kind's schema; errors name the stage. */
export function stageParams<S extends z.ZodType>(schema: S, params: Record<string, unknown>, kind: string): z.infer<S> {
  return validateConfig(params, schema, `stage kind ${kind} (with:)`) as z.infer<S>;
}
