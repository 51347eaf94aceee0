import { describe, expect, it } from 'vitest';
import { EvalError } from './errors.js';
import { NamedRegistry } from './registry.js';

describe('NamedRegistry', () => {
  it('registers, looks up and lists by key', () => {
    const registry = new NamedRegistry<number>('thing');
    registry.register('b', 2);
    registry.register('a', 1);
    expect(registry.get('a')).toBe(1);
    expect(registry.keys()).toEqual(['a', 'b']);
    expect(registry.values()).toEqual([1, 2]);
  });

  it('rejects a duplicate key instead of overriding it', () => {
    const registry = new NamedRegistry<number>('retriever');
    registry.register('bm25', 1);
    expect(() => registry.register('bm25', 2)).toThrow(EvalError);
    expect(() => registry.register('bm25', 2)).toThrow('retriever "bm25" is already registered');
    expect(registry.get('bm25')).toBe(1);
  });

  it('names the known keys when a key is unknown', () => {
    const registry = new NamedRegistry<number>('evaluator');
    registry.register('accuracy', 1);
    expect(() => registry.get('acc')).toThrow(expect.objectContaining({ code: 'eval-registry-unknown', hint: 'use one of: accuracy' }));
  });
});
