/**
 * JSON mode for the engine: a TokenConstraint that lets a sample produce only tokens
 * keeping its output a valid JSON prefix (and, for json_object, an object), and only
 * end-of-sequence once the value is complete — then nothing else.
 *
 * Per step it walks the candidates in descending logit order and keeps the first
 * `keep` valid ones (the rest of the row is -Infinity): greedy decoding needs only the
 * best valid token, and sampling among the 32 most likely valid tokens is what top-k
 * sampling would do anyway. Each sample's automaton state advances incrementally.
 *
 * It is portable: a replica worker rebuilds it with `createJsonConstraint` from its
 * own tokenizer (the vocabulary's texts never cross threads; only the EOS ids and
 * flags do).
 */
import { builtModuleUrl } from '@chainlm/core';
import type { ConstraintFactory, PortableConstraint, TokenConstraint } from '@chainlm/engine';
import { JsonPrefix } from './json-prefix.js';

export interface JsonConstraintOptions {
  /** Text of each token id ('' for tokens that must never appear, e.g. special tokens). */
  tokenTexts: readonly string[];
  eosIds: readonly number[];
  requireObject?: boolean;
  keep?: number;
}

export class JsonConstraint implements TokenConstraint {
  private readonly states = new Map<number, { consumed: number; prefix: JsonPrefix }>();
  private readonly eos: Set<number>;

  constructor(private readonly options: JsonConstraintOptions) {
    this.eos = new Set(options.eosIds);
  }

  /** Read only by a replica pool (so single-engine serving never needs the built module). */
  get portable(): PortableConstraint {
    const { tokenTexts: _vocabulary, ...options } = this.options;
    return { module: builtModuleUrl(import.meta.url), factory: 'createJsonConstraint', options: { ...options, eosIds: [...options.eosIds] } };
  }

  mask(sampleIndex: number, generated: readonly number[], logits: Float32Array): Float32Array {
    const state = this.advance(sampleIndex, generated);
    const out = new Float32Array(logits.length).fill(-Infinity);
    if (state.complete) {
      for (const id of this.eos) if (id < logits.length) out[id] = logits[id];
      return out;
    }
    const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
    const keep = this.options.keep ?? 32;
    let kept = 0;
    for (const id of order) {
      if (this.eos.has(id)) continue;
      const text = this.options.tokenTexts[id];
      if (!text || state.append(text) === null) continue;
      out[id] = logits[id];
      if (++kept >= keep) break;
    }
    return out;
  }

  private advance(sampleIndex: number, generated: readonly number[]): JsonPrefix {
    let entry = this.states.get(sampleIndex);
    if (!entry || entry.consumed > generated.length) entry = { consumed: 0, prefix: JsonPrefix.start({ requireObject: this.options.requireObject }) };
    for (let index = entry.consumed; index < generated.length; index++) {
      entry.prefix = entry.prefix.append(this.options.tokenTexts[generated[index]] ?? '') ?? entry.prefix;
    }
    entry.consumed = generated.length;
    this.states.set(sampleIndex, entry);
    return entry.prefix;
  }
}

interface VocabularyTokenizer {
  vocabSize: number;
  decode(ids: readonly number[]): string;
  specialTokens: ReadonlyMap<string, number>;
}

/** Token id → text, with special tokens blanked (they are never part of JSON text). */
export function tokenTextsOf(tokenizer: VocabularyTokenizer): string[] {
  const special = new Set(tokenizer.specialTokens.values());
  return Array.from({ length: tokenizer.vocabSize }, (_, id) => (special.has(id) ? '' : tokenizer.decode([id])));
}

/** Per tokenizer, once per thread: decoding every id costs ~vocabulary-size decodes. */
const textsByTokenizer = new WeakMap<object, string[]>();

/** A replica's JsonConstraint: the front's options over the replica's own tokenizer. */
export const createJsonConstraint = ((context: { tokenizer?: unknown }, options: Omit<JsonConstraintOptions, 'tokenTexts'>): JsonConstraint => {
  const tokenizer = context.tokenizer as VocabularyTokenizer | undefined;
  if (!tokenizer) throw new Error('JSON mode needs a tokenizer, and this replica loaded none from the model folder');
  let tokenTexts = textsByTokenizer.get(tokenizer);
  if (!tokenTexts) textsByTokenizer.set(tokenizer, (tokenTexts = tokenTextsOf(tokenizer)));
  return new JsonConstraint({ ...options, tokenTexts });
}) satisfies ConstraintFactory;
