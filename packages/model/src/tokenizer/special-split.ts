/**
 * Splits text on special/added token strings before the model sees it, as HF does:
 * leftmost match wins, and among tokens starting at the same place the longest wins.
 */
export type TextSegment = { text: string; id: -1 } | { text: string; id: number };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class SpecialTokenSplitter {
  private readonly pattern: RegExp | null;
  private readonly ids: ReadonlyMap<string, number>;

  /** @param tokens  token text → id; empty strings are ignored. */
  constructor(tokens: ReadonlyMap<string, number>) {
    const texts = [...tokens.keys()].filter((text) => text.length > 0).sort((a, b) => b.length - a.length);
    this.pattern = texts.length === 0 ? null : new RegExp(texts.map(escapeRegExp).join('|'), 'g');
    this.ids = tokens;
  }

  /** Segments in order; `id` is the special token's id, or -1 for ordinary text. */
  split(text: string): TextSegment[] {
    if (this.pattern === null) return [{ text, id: -1 }];
    const segments: TextSegment[] = [];
    let last = 0;
    this.pattern.lastIndex = 0;
    for (let match = this.pattern.exec(text); match !== null; match = this.pattern.exec(text)) {
      if (match.index > last) segments.push({ text: text.slice(last, match.index), id: -1 });
      segments.push({ text: match[0], id: this.ids.get(match[0]) as number });
      last = match.index + match[0].length;
    }
    if (last < text.length) segments.push({ text: text.slice(last), id: -1 });
    return segments;
  }
}
