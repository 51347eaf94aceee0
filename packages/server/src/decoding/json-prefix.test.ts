import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonPrefix } from './json-prefix.js';

function accepts(text: string): JsonPrefix | null {
  return JsonPrefix.start().append(text);
}

describe('JsonPrefix', () => {
  it('accepts every prefix of valid JSON and marks only the whole as complete', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 1);
        let state: JsonPrefix | null = JsonPrefix.start();
        for (let index = 0; index < text.length; index++) {
          state = state!.append(text[index]);
          expect(state).not.toBeNull();
          if (index < text.length - 1 && /^[{["tfn]/.test(text)) expect(state!.complete).toBe(false);
        }
        expect(state!.complete).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects text that cannot continue valid JSON', () => {
    for (const bad of ['}', '{"a" 1', '{"a":1,}', '[1,]', '[1 2]', 'tru3', '01', '{a:1}', '"\\x"', '{"a":1}}', '{"a":1} x', '"line\nbreak"', '-.5', '1.e5']) {
      expect(accepts(bad), bad).toBeNull();
    }
  });

  it('keeps prefixes open until the value closes', () => {
    expect(accepts('{"a": [1, 2')!.complete).toBe(false);
    expect(accepts('{"a": [1, 2]}')!.complete).toBe(true);
    expect(accepts('12')!.complete).toBe(true);
    expect(accepts('12.')!.complete).toBe(false);
    expect(accepts('{"a": "\\u00e9"}  \n')!.complete).toBe(true);
  });

  it('does not change the accepted state when a candidate is checked', () => {
    const base = accepts('{"k": ')!;
    expect(base.append('}')).toBeNull();
    expect(base.append('"v"}')!.complete).toBe(true);
    expect(base.append('tr')!.complete).toBe(false);
  });
});
