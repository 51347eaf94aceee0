/**
 * Language-ratio filter: keeps records whose CJK share of letters (CJK / (CJK + Latin))
 * lies in [minCjkRatio, maxCjkRatio]. `minCjkRatio: 0.5` keeps Chinese text;
 * `maxCjkRatio: 0.1` keeps English text. Records with no letters have ratio 0.
 */
import { z } from 'zod';
import { recordText } from '../../records/kinds.js';
import { defineOperator, filterBy } from '../operator.js';
import { cjkRatio } from '../script-counts.js';

const ratio = z.number().min(0).max(1);

export const languageOperator = defineOperator({
  name: 'language',
  summary: 'keep records whose CJK-vs-Latin letter ratio is within bounds',
  params: z.strictObject({ minCjkRatio: ratio.default(0), maxCjkRatio: ratio.default(1) }),
  create: (params, context) =>
    filterBy((record) => {
      const share = cjkRatio(recordText(context.kind, record));
      if (share < params.minCjkRatio) return `CJK ratio ${share.toFixed(2)} < ${params.minCjkRatio}`;
      if (share > params.maxCjkRatio) return `CJK ratio ${share.toFixed(2)} > ${params.maxCjkRatio}`;
      return undefined;
    }),
});
