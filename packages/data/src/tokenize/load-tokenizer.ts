/**
 * The tokenizer boundary. Packing only needs `{encode, decode, eosId, bosId}`; the
 * real tokenizers come from @chainlm/model (imported lazily, so ingest and clean work
 * without loading the model package).
 */
import { dataErrors } from '../errors.js';

export interface PackTokenizer {
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[] | Int32Array | Uint32Array;
  decode(ids: ArrayLike<number>): string;
  eosId: number | undefined | null;
  bosId?: number | undefined | null;
}

export async function loadPackTokenizer(path: string): Promise<PackTokenizer> {
  let model: { loadTokenizer?: (path: string) => Promise<PackTokenizer> };
  try {
    model = (await import('@chainlm/model')) as never;
  } catch (error) {
    throw dataErrors.tokenizerUnavailable(`@chainlm/model could not be loaded (${(error as Error).message})`);
  }
  if (typeof model.loadTokenizer !== 'function') throw dataErrors.tokenizerUnavailable('@chainlm/model has no loadTokenizer export yet');
  try {
    return await model.loadTokenizer(path);
  } catch (error) {
    throw dataErrors.tokenizerUnavailable(`${path}: ${(error as Error).message}`);
  }
}

export async function loadTokenCounter(path: string): Promise<(text: string) => number> {
  const tokenizer = await loadPackTokenizer(path);
  return (text) => tokenizer.encode(text, { addSpecialTokens: false }).length;
}
