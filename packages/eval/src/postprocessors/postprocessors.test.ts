import { describe, expect, it } from 'vitest';
import { extractCode } from './extract-code.js';
import { canonicalNumber, extractGsm8kAnswer } from './extract-gsm8k-answer.js';
import { extractOption } from './extract-option.js';
import { postprocessors } from './postprocessor.js';

describe('extractGsm8kAnswer', () => {
  it('prefers #### n, then the last "The answer is n", then the last number', () => {
    expect(extractGsm8kAnswer('She has 3 then 5.\n#### 72\nThe answer is 9')).toBe('72');
    expect(extractGsm8kAnswer('The answer is 3. Wait. The answer is $1,250.50.')).toBe('1250.5');
    expect(extractGsm8kAnswer('so 4 + 4 = 8 apples')).toBe('8');
    expect(extractGsm8kAnswer('the final answer is: -7')).toBe('-7');
    expect(extractGsm8kAnswer('no digits here')).toBe('');
  });

  it('canonicalises numbers', () => {
    expect(canonicalNumber('$18.00')).toBe('18');
    expect(canonicalNumber('1,000.')).toBe('1000');
  });
});

describe('extractOption', () => {
  it.each([
    ['The answer is B.', 'B'],
    ['Answer: (C)', 'C'],
    ['答案：D', 'D'],
    ['答案是A', 'A'],
    ['I would pick (B) here', 'B'],
    ['C. Because it is', 'C'],
    ['Probably D', 'D'],
    ['no letter at all', ''],
    ['answer is a guess', ''],
  ])('%s → %s', (text, expected) => {
    expect(extractOption(text)).toBe(expected);
  });

  it('respects the option set', () => {
    expect(extractOption('The answer is E', 'ABCDE')).toBe('E');
    expect(extractOption('The answer is E', 'ABCD')).toBe('');
  });
});

describe('extractCode and the registry', () => {
  it('takes the first fenced block, else the text', () => {
    expect(extractCode('Sure:\n```python\n    return 1\n```\nDone')).toBe('    return 1\n');
    expect(extractCode('    return 2\n')).toBe('    return 2\n');
  });

  it('builds configured post-processors and rejects unknown ones', () => {
    const regex = postprocessors.get('regex').create({ type: 'regex', pattern: 'id=(\\d+)', group: 1 }, undefined as never);
    expect(regex('x id=42 y')).toBe('42');
    expect(postprocessors.get('first-line').create({ type: 'first-line' }, undefined as never)('\n  hello \nworld')).toBe('hello');
    expect(() => postprocessors.get('nope')).toThrow(/unknown postprocessor "nope"/);
  });
});
