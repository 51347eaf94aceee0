/**
 * Cleaning recipes (YAML or JSON), Data-Juicer style: an ordered list of operators,
 * each `{op: NAME, ...params}`. One strict schema built from the operators' own
 * parameter schemas, so an unknown operator, an unknown key or a wrong type is
 * reported with the file, line and key path.
 *
 *   operators:
 *     - op: nfkc
 *     - op: length
 *       minChars: 20
 *     - op: near-dedup
 *       threshold: 0.8
 */
import { z } from 'zod';
import { loadConfigFile, validateConfig } from '@chainlm/core';
import { operators } from './operators/index.js';

const stepSchemas = operators.map((definition) => (definition.params as z.ZodObject).extend({ op: z.literal(definition.name) }));

export const recipeSchema = z.strictObject({
  /** Optional label shown in reports. */
  name: z.string().optional(),
  operators: z.array(z.discriminatedUnion('op', stepSchemas as unknown as [z.ZodObject, ...z.ZodObject[]])).min(1),
});

export type RecipeStep = { op: string } & Record<string, unknown>;
export interface Recipe {
  name?: string;
  operators: RecipeStep[];
}

export function loadRecipe(file: string): Recipe {
  return loadConfigFile(file, recipeSchema) as unknown as Recipe;
}

export function parseRecipe(value: unknown, source = '<recipe>'): Recipe {
  return validateConfig(value, recipeSchema, source) as unknown as Recipe;
}
