/**
 * A Tokenizer built from a token table (decoding) plus a format-specific encode
 * function. Every loader in this folder returns one of these, so decode, streaming,
 * id/token lookup and special-token roles behave the same across formats.
 */
import { createTableStreamDecoder, decodeWithTable, type TokenTable } from './token-table.js';
import type { DecodeOptions, EncodeOptions, StreamDecoder, Tokenizer, TokenizerFormat } from './types.js';

export interface SpecialRoles {
  bosId: number | null;
  eosId: number | null;
  padId: number | null;
  unkId?: number | null;
}

export interface TableTokenizerParts {
  format: TokenizerFormat;
  table: TokenTable;
  roles: SpecialRoles;
  /** Encodes text; `addSpecialTokens` already resolved to a boolean. */
  encode(text: string, addSpecialTokens: boolean): number[];
  /** Token → id lookup; defaults to a map built from the table. */
  tokenToId?: (token: string) => number | undefined;
}

export class TableTokenizer implements Tokenizer {
  readonly format: TokenizerFormat;
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly padId: number | null;
  readonly unkId: number | null;
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly table: TokenTable;
  private readonly encodeText: (text: string, addSpecialTokens: boolean) => number[];
  private readonly lookup: (token: string) => number | undefined;

  constructor(parts: TableTokenizerParts) {
    this.format = parts.format;
    this.table = parts.table;
    this.vocabSize = parts.table.tokens.length;
    this.bosId = parts.roles.bosId;
    this.eosId = parts.roles.eosId;
    this.padId = parts.roles.padId;
    this.unkId = parts.roles.unkId ?? null;
    this.encodeText = parts.encode;
    const specials = new Map<string, number>();
    parts.table.special.forEach((flag, id) => {
      if (flag === 1) specials.set(parts.table.tokens[id], id);
    });
    this.specialTokens = specials;
    if (parts.tokenToId) {
      this.lookup = parts.tokenToId;
    } else {
      const ids = new Map<string, number>();
      parts.table.tokens.forEach((token, id) => {
        if (!ids.has(token)) ids.set(token, id);
      });
      this.lookup = (token) => ids.get(token);
    }
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.encodeText(text, options.addSpecialTokens ?? true);
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    return decodeWithTable(this.table, ids, options);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 && id < this.vocabSize ? this.table.tokens[id] : undefined;
  }

  tokenToId(token: string): number | undefined {
    return this.lookup(token);
  }

  createStreamDecoder(options: DecodeOptions = {}): StreamDecoder {
    return createTableStreamDecoder(this.table, options);
  }
}
