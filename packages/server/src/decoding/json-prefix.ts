/**
 * An incremental JSON validator for constrained decoding (`response_format:
 * json_object`). It answers, for a text that is a valid JSON prefix, whether appending
 * a token's text keeps it a valid prefix — so the sampler can mask every token that
 * cannot continue valid JSON — and whether the value is complete (only then may the
 * model stop).
 *
 * Design: a pushdown automaton over characters. The stack holds the open containers;
 * `mode` is what the next character may be. States are small and copied on `append`,
 * so checking a candidate never disturbs the accepted state.
 */
type Container = 'object' | 'array';
type Mode =
  | 'value' // a value must start (whitespace allowed)
  | 'value-or-close' // right after '[': a value or ']'
  | 'key-or-close' // right after '{': a key string or '}'
  | 'key' // after ',' in an object: a key string
  | 'colon'
  | 'after-value' // ',' or the container's close, or end at top level
  | 'string'
  | 'string-escape'
  | 'string-unicode'
  | 'number'
  | 'literal'
  | 'done';

interface State {
  stack: Container[];
  mode: Mode;
  /** Whether the open string is a key (then a colon follows it). */
  stringIsKey: boolean;
  unicodeLeft: number;
  /** Remaining characters of true/false/null. */
  literalRest: string;
  /** Number text so far, to validate its grammar. */
  number: string;
  /** json_object mode: the top-level value must be an object. */
  requireObject: boolean;
}

const numberPattern = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const numberPrefixPattern = /^-?$|^-?(?:0|[1-9]\d*)(?:\.\d*|(?:\.\d+)?[eE][+-]?\d*)?$/;

export class JsonPrefix {
  private constructor(private readonly state: State) {}

  static start(options: { requireObject?: boolean } = {}): JsonPrefix {
    return new JsonPrefix({ stack: [], mode: 'value', stringIsKey: false, unicodeLeft: 0, literalRest: '', number: '', requireObject: options.requireObject ?? false });
  }

  /** The validator after `text`, or null when `text` cannot continue valid JSON. */
  append(text: string): JsonPrefix | null {
    const state: State = { ...this.state, stack: [...this.state.stack] };
    for (const char of text) if (!step(state, char)) return null;
    return new JsonPrefix(state);
  }

  /** A complete JSON value has been read (trailing whitespace allowed). */
  get complete(): boolean {
    if (this.state.mode === 'done') return true;
    return this.state.mode === 'number' && this.state.stack.length === 0 && numberPattern.test(this.state.number);
  }
}

function step(state: State, char: string): boolean {
  const whitespace = char === ' ' || char === '\n' || char === '\t' || char === '\r';
  switch (state.mode) {
    case 'string':
      if (char === '\\') state.mode = 'string-escape';
      else if (char === '"') closeString(state);
      else if (char.charCodeAt(0) < 0x20) return false;
      return true;
    case 'string-escape':
      if (char === 'u') {
        state.mode = 'string-unicode';
        state.unicodeLeft = 4;
        return true;
      }
      if (!'"\\/bfnrt'.includes(char)) return false;
      state.mode = 'string';
      return true;
    case 'string-unicode':
      if (!/[0-9a-fA-F]/.test(char)) return false;
      if (--state.unicodeLeft === 0) state.mode = 'string';
      return true;
    case 'literal':
      if (char !== state.literalRest[0]) return false;
      state.literalRest = state.literalRest.slice(1);
      if (state.literalRest === '') endValue(state);
      return true;
    case 'number':
      if (numberPrefixPattern.test(state.number + char)) {
        state.number += char;
        return true;
      }
      if (!numberPattern.test(state.number)) return false;
      endValue(state);
      return step(state, char);
    case 'done':
      return whitespace;
    case 'colon':
      if (whitespace) return true;
      if (char !== ':') return false;
      state.mode = 'value';
      return true;
    case 'key':
    case 'key-or-close':
      if (whitespace) return true;
      if (char === '}' && state.mode === 'key-or-close') return closeContainer(state, 'object');
      if (char !== '"') return false;
      state.mode = 'string';
      state.stringIsKey = true;
      return true;
    case 'after-value':
      if (whitespace) return true;
      if (char === ',') {
        state.mode = state.stack[state.stack.length - 1] === 'object' ? 'key' : 'value';
        return true;
      }
      if (char === '}') return closeContainer(state, 'object');
      if (char === ']') return closeContainer(state, 'array');
      return false;
    case 'value':
    case 'value-or-close':
      if (whitespace) return true;
      if (char === ']' && state.mode === 'value-or-close') return closeContainer(state, 'array');
      return startValue(state, char);
  }
}

function startValue(state: State, char: string): boolean {
  if (state.requireObject && state.stack.length === 0 && char !== '{') return false;
  if (char === '{' || char === '[') {
    state.stack.push(char === '{' ? 'object' : 'array');
    state.mode = char === '{' ? 'key-or-close' : 'value-or-close';
    return true;
  }
  if (char === '"') {
    state.mode = 'string';
    state.stringIsKey = false;
    return true;
  }
  if (char === '-' || (char >= '0' && char <= '9')) {
    state.mode = 'number';
    state.number = char;
    return true;
  }
  const literal = char === 't' ? 'rue' : char === 'f' ? 'alse' : char === 'n' ? 'ull' : undefined;
  if (literal === undefined) return false;
  state.mode = 'literal';
  state.literalRest = literal;
  return true;
}

function closeString(state: State): void {
  if (state.stringIsKey) {
    state.stringIsKey = false;
    state.mode = 'colon';
  } else endValue(state);
}

function endValue(state: State): void {
  state.mode = state.stack.length === 0 ? 'done' : 'after-value';
}

function closeContainer(state: State, kind: Container): boolean {
  if (state.stack[state.stack.length - 1] !== kind) return false;
  state.stack.pop();
  endValue(state);
  return true;
}
