/**
 * Removes control and invisible format characters: C0/C1 controls except tab and
 * newline, DEL, zero-width spaces/joiners, BOM and bidi overrides.
 */
import { z } from 'zod';
import { defineOperator, mapStrings } from '../operator.js';

// eslint-disable-next-line no-control-regex
const controlPattern = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
// eslint-disable-next-line no-control-regex
const controlPatternKeepCr = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

export const stripControlOperator = defineOperator({
  name: 'strip-control',
  summary: 'remove control and zero-width characters (tab and newline are kept)',
  params: z.strictObject({
    /** Keep carriage returns (default: removed, so \r\n becomes \n). */
    keepCarriageReturn: z.boolean().default(false),
  }),
  create: (params, context) => {
    const pattern = params.keepCarriageReturn ? controlPatternKeepCr : controlPattern;
    return mapStrings(context.kind, (text) => (pattern.test(text) ? text.replace(pattern, '') : text));
  },
});
