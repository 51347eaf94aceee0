/**
 * A pluggable component (retriever, inferencer, evaluator, postprocessor, loader,
 * model): a `type` key, a strict zod schema for its options and a factory. The
 * config schema for a slot is the discriminated union of the registered schemas,
 * so a YAML config is checked in one pass, with file:line errors, and a
 * user-registered component is validated exactly like a built-in one.
 */
import { z } from 'zod';
import type { NamedRegistry } from '../registry.js';

export interface ComponentSpec<Options extends { type: string }, Instance, Context = void> {
  type: Options['type'];
  /** A `z.strictObject` whose `type` is `z.literal(type)`. */
  schema: z.ZodType<Options>;
  create(options: Options, context: Context): Instance;
}

/** The union schema of every spec registered in `registry` (at call time). */
export function unionSchema(registry: NamedRegistry<ComponentSpec<any, unknown, any>>): z.ZodType<{ type: string } & Record<string, unknown>> {
  const schemas = registry.values().map((spec) => spec.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  return z.discriminatedUnion('type', schemas) as unknown as z.ZodType<{ type: string } & Record<string, unknown>>;
}

/** Creates the instance for validated `options` from the registry. */
export function createComponent<Instance, Context>(
  registry: NamedRegistry<ComponentSpec<any, unknown, any>>,
  options: { type: string },
  context: Context,
): Instance {
  const spec = registry.get(options.type) as unknown as ComponentSpec<{ type: string }, Instance, Context>;
  return spec.create(options, context);
}

export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();
