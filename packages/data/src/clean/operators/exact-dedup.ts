/** Exact dedup: drops records whose normalised content was seen before (keeps the first). */
import { z } from 'zod';
import { exactKey } from '../../dedup/exact-key.js';
import { recordText } from '../../records/kinds.js';
import { defineOperator, keyedFilter } from '../operator.js';

export const exactDedupOperator = defineOperator({
  name: 'exact-dedup',
  summary: 'drop records whose normalised text (NFKC, lowercase, collapsed spaces) was seen before',
  params: z.strictObject({}),
  create: (_params, context) => {
    const seen = new Map<string, string>();
    return keyedFilter(
      (record) => exactKey(recordText(context.kind, record)),
      (key, record) => {
        const first = seen.get(key);
        if (first !== undefined) return `exact duplicate of ${first}`;
        seen.set(key, `${record.source}:${record.line}`);
        return undefined;
      },
    );
  },
});
