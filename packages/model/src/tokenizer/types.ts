/**
 * The tokenizer contract every format (HF tokenizer.json, SentencePiece .model,
 * llama2.c tokenizer.bin, our trained BPE) implements. Types only.
 */
export interface EncodeOptions {
  /** Add what the tokenizer's convention adds (BOS for Llama/InternLM, nothing for GPT-2). Default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, PAD, chat markers flagged special). Default false. */
  skipSpecialTokens?: boolean;
}

/** Incremental detokenizer: push ids, get text deltas; a UTF-8 character split across tokens is emitted whole. */
export interface StreamDecoder {
  push(id: number): string;
  /** Emits what is still buffered (an incomplete character becomes U+FFFD). */
  flush(): string;
}

export type TokenizerFormat = 'tokenizer.json' | 'sentencepiece' | 'llama2c';

export interface Tokenizer {
  readonly format: TokenizerFormat;
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly padId: number | null;
  /** Special token text → id (BOS/EOS/UNK/PAD and added special tokens). */
  readonly specialTokens: ReadonlyMap<string, number>;
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  createStreamDecoder(options?: DecodeOptions): StreamDecoder;
}

/** One OpenAI-style chat message. `content` may be null for assistant tool calls. */
export interface ChatMessage {
  role: string;
  content: string | null;
  name?: string;
  tool_calls?: unknown[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatRenderOptions {
  addGenerationPrompt?: boolean;
  tools?: unknown[];
  /** Extra variables for the template (e.g. `enable_thinking`). */
  variables?: Record<string, unknown>;
}

export interface ChatTemplate {
  /** Where the template came from: a file path or `builtin:<name>`. */
  readonly source: string;
  render(messages: ChatMessage[], options?: ChatRenderOptions): string;
}
