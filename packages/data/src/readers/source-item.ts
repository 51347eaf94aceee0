/**
 * What every reader yields: batches of items, each either a parsed value (an object,
 * or `{text}` for plain text) or a reason it could not be read, with its 1-based line
 * (or element/row number) and the raw text for the quarantine table.
 */
export type SourceItem = { line: number; value: unknown } | { line: number; reason: string; raw: string };

/** What one unit of `read` is for a format: the ok + quarantined = read accounting counts these. */
export type ReadUnit = 'line' | 'element' | 'row' | 'block' | 'file';

export interface SourceReader {
  unit: ReadUnit;
  /** Batches of items in file order. `onBytes` reports bytes consumed, for progress. */
  read(onBytes: (bytes: number) => void): AsyncGenerator<SourceItem[]>;
}

/** At most this much raw text is kept per quarantined record (chars). */
export const maxRawChars = 4096;

export function clipRaw(text: string): string {
  return text.length > maxRawChars ? `${text.slice(0, maxRawChars)}…` : text;
}
