/**
 * HF tokenizer.json through @huggingface/tokenizers (the reference encoder), with our
 * byte-exact decoding on top, and a fast path for plain byte-level BPE files (GPT-2
 * and the files our trainer writes): the library runs ~0.4 M tokens/s, which is too
 * slow for 200 MB pretraining corpora, so those files use ByteLevelBpeEncoder, whose
 * ids the tests check against the library on the llama.cpp vectors and real corpora.
 */
import { Tokenizer as LibraryTokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { buildMergeTable, ByteLevelBpeEncoder } from './bpe-encoder.js';
import { tokenizerFileError } from './errors.js';
import { decoderStyle, tokenBytesFor } from './hf-decoding.js';
import { SpecialTokenSplitter } from './special-split.js';
import { resolveSpecialRoles } from './special-roles.js';
import { TableTokenizer } from './table-tokenizer.js';

const addedTokenSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  content: z.string(),
  special: z.boolean().default(false),
  lstrip: z.boolean().default(false),
  rstrip: z.boolean().default(false),
  single_word: z.boolean().default(false),
});

const tokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(addedTokenSchema).default([]),
  normalizer: z.unknown().nullable().default(null),
  pre_tokenizer: z.unknown().nullable().default(null),
  post_processor: z.unknown().nullable().default(null),
  decoder: z.unknown().nullable().default(null),
  model: z.looseObject({ type: z.string().optional(), vocab: z.unknown() }),
});

type TokenizerJson = z.infer<typeof tokenizerJsonSchema>;

export interface HfTokenizerOptions {
  /** Use the library even where the fast path applies (tests compare the two). */
  forceLibrary?: boolean;
}

function parseTokenizerJson(json: unknown, file: string): TokenizerJson {
  const parsed = tokenizerJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw tokenizerFileError(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`, 'pass a tokenizer.json written by HF tokenizers');
  }
  return parsed.data;
}

function isType(node: unknown, type: string): boolean {
  return node !== null && typeof node === 'object' && (node as { type?: unknown }).type === type;
}

/**
 * The byte-level pre-tokenizer of a GPT-2-style tokenizer: a plain ByteLevel with its
 * regex, or Sequence[Digits{individual_digits}, ByteLevel] (digits split first).
 * Anything else → null (the library encodes it).
 */
function byteLevelPreTokenizer(node: unknown): { byteLevel: Record<string, unknown>; splitDigits: boolean } | null {
  if (isType(node, 'ByteLevel')) return { byteLevel: node as Record<string, unknown>, splitDigits: false };
  if (!isType(node, 'Sequence')) return null;
  const steps = (node as { pretokenizers?: unknown }).pretokenizers;
  if (!Array.isArray(steps) || steps.length !== 2) return null;
  const [digits, byteLevel] = steps as Record<string, unknown>[];
  if (!isType(digits, 'Digits') || digits.individual_digits !== true || !isType(byteLevel, 'ByteLevel')) return null;
  return { byteLevel, splitDigits: true };
}

/** Plain GPT-2-style byte-level BPE: the only shape the fast encoder reproduces exactly. */
function fastPathApplies(spec: TokenizerJson): boolean {
  const model = spec.model as Record<string, unknown>;
  const preTokenizer = byteLevelPreTokenizer(spec.pre_tokenizer)?.byteLevel;
  return (
    model.type === 'BPE' &&
    spec.normalizer === null &&
    preTokenizer !== undefined &&
    preTokenizer.use_regex !== false &&
    preTokenizer.add_prefix_space !== true &&
    (spec.post_processor === null || isType(spec.post_processor, 'ByteLevel')) &&
    (model.dropout === null || model.dropout === undefined) &&
    !model.continuing_subword_prefix &&
    !model.end_of_word_suffix &&
    model.byte_fallback !== true &&
    Array.isArray(model.merges) &&
    spec.added_tokens.every((token) => !token.lstrip && !token.rstrip && !token.single_word)
  );
}

function createLibrary(json: unknown, config: Record<string, unknown>, file: string): LibraryTokenizer {
  try {
    return new LibraryTokenizer(json as object, config);
  } catch (error) {
    throw tokenizerFileError(file, `@huggingface/tokenizers rejected it: ${(error as Error).message}`, 'check the file is a complete tokenizer.json');
  }
}

export function tokenizerFromJson(
  json: unknown,
  config: Record<string, unknown>,
  file: string,
  options: HfTokenizerOptions = {},
): TableTokenizer {
  const spec = parseTokenizerJson(json, file);
  const library = createLibrary(spec, config, file);
  const vocab = library.get_vocab(true);
  if (vocab.size === 0) throw tokenizerFileError(file, `model.vocab is empty (model.type ${String(spec.model.type)})`, 'use a BPE, Unigram or WordLevel tokenizer.json with its vocabulary');
  const size = Math.max(...vocab.values()) + 1;
  const style = decoderStyle(spec.decoder, file);
  const added = new Map(spec.added_tokens.map((token) => [token.id, token]));
  const tokens = new Array<string>(size).fill('');
  const bytes = new Array<Uint8Array>(size).fill(new Uint8Array(0));
  const special = new Uint8Array(size);
  for (const [token, id] of vocab) {
    tokens[id] = token;
    bytes[id] = tokenBytesFor(style, token, added.has(id));
    if (added.get(id)?.special) special[id] = 1;
  }
  const specials = new Map(spec.added_tokens.filter((token) => token.special).map((token) => [token.content, token.id]));
  const roles = resolveSpecialRoles((token) => specials.get(token), config);
  const table = { tokens, bytes, special, stripLeadingSpace: style.kind === 'sentencepiece' && style.stripLeadingSpace };
  const encode = !options.forceLibrary && fastPathApplies(spec) ? fastEncoder(spec, file) : libraryEncoder(library);
  return new TableTokenizer({ format: 'tokenizer.json', table, roles, encode, tokenToId: (token) => vocab.get(token) });
}

function libraryEncoder(library: LibraryTokenizer): (text: string, addSpecialTokens: boolean) => number[] {
  return (text, addSpecialTokens) => library.encode(text, { add_special_tokens: addSpecialTokens }).ids;
}

function fastEncoder(spec: TokenizerJson, file: string): (text: string) => number[] {
  const model = spec.model as unknown as { vocab: unknown; merges: (string | [string, string])[]; ignore_merges?: boolean };
  const modelVocab = new Map(Object.entries(model.vocab as Record<string, number>));
  const splitDigits = byteLevelPreTokenizer(spec.pre_tokenizer)?.splitDigits ?? false;
  const encoder = new ByteLevelBpeEncoder(buildMergeTable(modelVocab, model.merges, file), model.ignore_merges ? modelVocab : null, splitDigits);
  const splitter = new SpecialTokenSplitter(new Map(spec.added_tokens.map((token) => [token.content, token.id])));
  return (text) => {
    const ids: number[] = [];
    for (const segment of splitter.split(text)) {
      if (segment.id >= 0) ids.push(segment.id);
      else encoder.encodeInto(segment.text, ids);
    }
    return ids;
  };
}
