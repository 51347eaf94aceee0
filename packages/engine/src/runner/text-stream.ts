/**
 * Turns one sample's token stream into safe text deltas. The tokenizer's stream
 * decoder already holds back a UTF-8 character split across tokens; on top of that
 * we hold back the longest tail that could still grow into a stop string, so a
 * client never sees text that a stop string later removes.
 */
import type { TokenizerLike } from '../model-contract.js';

export interface TextPush {
  delta: string;
  /** The stop string that ended the text, if one appeared. */
  stoppedBy?: string;
}

export class TextStream {
  private readonly decoder: { push(id: number): string; flush(): string };
  private pending = '';
  text = '';

  constructor(tokenizer: TokenizerLike, private readonly stop: readonly string[]) {
    this.decoder = tokenizer.createStreamDecoder({ skipSpecialTokens: true });
  }

  push(tokenId: number): TextPush {
    return this.advance(this.decoder.push(tokenId));
  }

  /** At the end: releases what was held back (no stop string can complete any more). */
  flush(): TextPush {
    return this.advance(this.decoder.flush(), true);
  }

  private advance(piece: string, final = false): TextPush {
    // pending = held tail (shorter than any stop string) + the new piece: short, search it whole.
    this.pending += piece;
    for (const stop of this.stop) {
      const at = this.pending.indexOf(stop);
      if (at >= 0) {
        const delta = this.pending.slice(0, at);
        this.text += delta;
        this.pending = '';
        return { delta, stoppedBy: stop };
      }
    }
    const hold = final ? 0 : heldTail(this.pending, this.stop);
    const delta = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    this.text += delta;
    return { delta };
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of a stop string. */
export function heldTail(text: string, stops: readonly string[]): number {
  let hold = 0;
  for (const stop of stops) {
    for (let length = Math.min(stop.length - 1, text.length); length > hold; length--) {
      if (text.endsWith(stop.slice(0, length))) {
        hold = length;
        break;
      }
    }
  }
  return hold;
}
