import { describe, expect, it } from 'vitest';
import { parseNameValue } from './name-value.js';

describe('parseNameValue', () => {
  it('splits at the first = and refuses a missing name or value, naming the flag', () => {
    expect(parseNameValue('attach', 'demo=http://h:1/v1?a=b', 'NAME=URL', '--attach demo=http://127.0.0.1:23333/v1')).toEqual({ name: 'demo', value: 'http://h:1/v1?a=b' });
    for (const bad of ['no-equals', '=x', 'x=']) {
      expect(() => parseNameValue('adapters', bad, 'name=path', '--adapters sql=./sql')).toThrow(`--adapters: "${bad}" is not name=path`);
    }
    try {
      parseNameValue('adapters', 'x', 'name=path', '--adapters sql=./sql');
    } catch (error) {
      expect(error).toMatchObject({ exitCode: 2, hint: 'e.g. --adapters sql=./sql' });
    }
  });
});
