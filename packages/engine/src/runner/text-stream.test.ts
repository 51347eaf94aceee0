import { describe, expect, it } from 'vitest';
import { TextStream, heldTail } from './text-stream.js';

/** A byte-level tokenizer: id = one UTF-8 byte, with a real streaming UTF-8 decoder. */
const byteTokenizer = {
  eosId: null,
  encode: (text: string) => Array.from(new TextEncoder().encode(text)),
  decode: (ids: readonly number[]) => new TextDecoder().decode(new Uint8Array(ids)),
  createStreamDecoder() {
    const decoder = new TextDecoder('utf-8');
    return { push: (id: number) => decoder.decode(new Uint8Array([id]), { stream: true }), flush: () => decoder.decode() };
  },
};

function run(text: string, stop: string[]) {
  const stream = new TextStream(byteTokenizer, stop);
  const deltas: string[] = [];
  for (const id of byteTokenizer.encode(text)) {
    const pushed = stream.push(id);
    deltas.push(pushed.delta);
    if (pushed.stoppedBy) return { deltas, text: stream.text, stoppedBy: pushed.stoppedBy };
  }
  deltas.push(stream.flush().delta);
  return { deltas, text: stream.text, stoppedBy: undefined };
}

describe('TextStream', () => {
  it('never splits a multi-byte character across deltas', () => {
    const { deltas, text } = run('a€b', []);
    expect(deltas).toEqual(['a', '', '', '€', 'b', '']);
    expect(text).toBe('a€b');
  });

  it('holds back a possible stop-string prefix and cuts at the stop string', () => {
    const { deltas, text, stoppedBy } = run('hello END world', ['END']);
    expect(stoppedBy).toBe('END');
    expect(text).toBe('hello ');
    expect(deltas.join('')).toBe('hello ');
    expect(deltas).not.toContain('E');
  });

  it('releases a held prefix that did not become a stop string', () => {
    const { text, stoppedBy } = run('an ENd', ['END']);
    expect(stoppedBy).toBeUndefined();
    expect(text).toBe('an ENd');
  });

  it('heldTail finds the longest stop prefix at the end', () => {
    expect(heldTail('abc EN', ['END', 'NOPE'])).toBe(2);
    expect(heldTail('abc', ['END'])).toBe(0);
  });
});
