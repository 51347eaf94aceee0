/** Near-duplicate dedup: MinHash (OPH) + LSH; keeps the first of each near-duplicate group. */
import { z } from 'zod';
import { LshIndex, optimalBands } from '../../dedup/lsh-index.js';
import { MinHasher } from '../../dedup/minhash.js';
import { recordText } from '../../records/kinds.js';
import { defineOperator, keyedFilter } from '../operator.js';

export const nearDedupParams = z
  .strictObject({
    /** Words per shingle (a CJK character counts as a word). */
    shingle: z.number().int().min(1).max(32).default(5),
    numPerm: z.number().int().min(8).max(1024).default(128),
    /** LSH bands; default: chosen for the threshold (optimalBands). */
    bands: z.number().int().min(1).optional(),
    /** Estimated Jaccard at or above which a record is a duplicate. */
    threshold: z.number().gt(0).max(1).default(0.8),
    seed: z.number().int().default(1),
  })
  .refine((params) => params.bands === undefined || params.numPerm % params.bands === 0, { message: 'numPerm must be a multiple of bands', path: ['bands'] });

export const nearDedupOperator = defineOperator({
  name: 'near-dedup',
  summary: 'drop near-duplicates (MinHash + LSH over word shingles)',
  params: nearDedupParams,
  create: (params, context) => {
    const hasher = new MinHasher({ numPerm: params.numPerm, shingle: params.shingle, seed: params.seed });
    const index = new LshIndex(params.numPerm, params.bands ?? optimalBands(params.numPerm, params.threshold));
    const keptLabels: string[] = [];
    return keyedFilter(
      (record) => {
        const signature = new Uint32Array(params.numPerm);
        // Empty texts have no shingles (null: kept); exact dedup is the tool for those.
        return hasher.signature(recordText(context.kind, record), signature) === 0 ? null : signature;
      },
      (signature, record) => {
        if (signature === null) return undefined;
        const found = index.findOrInsert(signature, params.threshold);
        if (found.match >= 0) return `near-duplicate (≈${found.similarity.toFixed(2)}) of ${keptLabels[found.match]}`;
        keptLabels.push(`${record.source}:${record.line}`);
        return undefined;
      },
    );
  },
});
