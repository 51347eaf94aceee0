/** Unicode NFKC: folds compatibility forms (full-width Latin, ligatures, ⼆ U+2F06 → 二). */
import { z } from 'zod';
import { nfkc } from '../../records/nfkc.js';
import { defineOperator, mapStrings } from '../operator.js';

export const nfkcOperator = defineOperator({
  name: 'nfkc',
  summary: 'Unicode NFKC normalisation of every content string',
  params: z.strictObject({}),
  create: (_params, context) => mapStrings(context.kind, nfkc),
});
