/**
 * Prediction (and reference) post-processors: string → string, run before the
 * evaluator. Registered by name; configs name them as `{ type: ... }`.
 */
import { z } from 'zod';
import type { ComponentSpec } from '../config/component.js';
import { NamedRegistry } from '../registry.js';
import { extractCode } from './extract-code.js';
import { extractGsm8kAnswer } from './extract-gsm8k-answer.js';
import { extractOption } from './extract-option.js';

export type Postprocess = (text: string) => string;
export type PostprocessorSpec<O extends { type: string }> = ComponentSpec<O, Postprocess>;

export const postprocessors = new NamedRegistry<PostprocessorSpec<any>>('postprocessor');

function simple(type: string, postprocess: Postprocess): void {
  postprocessors.register(type, { type, schema: z.strictObject({ type: z.literal(type) }), create: () => postprocess });
}

simple('none', (text) => text);
simple('strip', (text) => text.trim());
simple('first-line', (text) => text.trim().split('\n')[0]?.trim() ?? '');
simple('gsm8k', extractGsm8kAnswer);
simple('code', extractCode);
simple('first-number', (text) => /-?\d+(?:\.\d+)?/.exec(text.replace(/,/g, ''))?.[0] ?? '');

postprocessors.register('option', {
  type: 'option',
  schema: z.strictObject({ type: z.literal('option'), options: z.string().regex(/^[A-Za-z]+$/).default('ABCD') }),
  create: (options: { type: 'option'; options: string }): Postprocess => (text) => extractOption(text, options.options),
});

postprocessors.register('regex', {
  type: 'regex',
  schema: z.strictObject({ type: z.literal('regex'), pattern: z.string(), group: z.number().int().nonnegative().default(1) }),
  create: (options: { type: 'regex'; pattern: string; group: number }): Postprocess => {
    const pattern = new RegExp(options.pattern);
    return (text) => pattern.exec(text)?.[options.group] ?? '';
  },
});
