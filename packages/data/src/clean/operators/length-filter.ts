/** Drops records whose content is too short or too long, in characters and/or tokens. */
import { z } from 'zod';
import { recordText } from '../../records/kinds.js';
import { defineOperator, filterBy } from '../operator.js';

export const lengthOperator = defineOperator({
  name: 'length',
  summary: 'keep records whose length in chars (and tokens, with a tokenizer) is within bounds',
  params: z
    .strictObject({
      minChars: z.number().int().nonnegative().optional(),
      maxChars: z.number().int().positive().optional(),
      minTokens: z.number().int().nonnegative().optional(),
      maxTokens: z.number().int().positive().optional(),
      /** Tokenizer file or folder (needed for minTokens/maxTokens). */
      tokenizer: z.string().optional(),
    })
    .refine((params) => (params.minTokens === undefined && params.maxTokens === undefined) || params.tokenizer !== undefined, {
      message: 'minTokens/maxTokens need a tokenizer: add tokenizer: PATH',
      path: ['tokenizer'],
    }),
  create: async (params, context) => {
    const countTokens = params.tokenizer ? await context.loadTokenCounter(params.tokenizer) : undefined;
    return filterBy((record) => {
      const text = recordText(context.kind, record);
      // String length is UTF-16 units; count code points so CJK and emoji are fair.
      const chars = codePointLength(text);
      if (params.minChars !== undefined && chars < params.minChars) return `${chars} chars < minChars ${params.minChars}`;
      if (params.maxChars !== undefined && chars > params.maxChars) return `${chars} chars > maxChars ${params.maxChars}`;
      if (countTokens) {
        const tokens = countTokens(text);
        if (params.minTokens !== undefined && tokens < params.minTokens) return `${tokens} tokens < minTokens ${params.minTokens}`;
        if (params.maxTokens !== undefined && tokens > params.maxTokens) return `${tokens} tokens > maxTokens ${params.maxTokens}`;
      }
      return undefined;
    });
  },
});

export function codePointLength(text: string): number {
  let surrogates = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xdc00 && code <= 0xdfff) surrogates++;
  }
  return text.length - surrogates;
}
