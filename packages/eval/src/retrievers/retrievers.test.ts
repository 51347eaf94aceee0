import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { ScriptedModel } from '../__tests__/scripted-model.js';
import { retrievers, type Retriever } from './retriever.js';

const train = [
  { q: 'the capital of france is paris' },
  { q: 'photosynthesis needs sunlight and water' },
  { q: 'the moon orbits the earth' },
  { q: 'paris has the eiffel tower' },
  { q: 'water boils at 100 degrees' },
];
const test = [{ q: 'what tower is in paris' }, { q: 'why do plants need sunlight' }];
const context = { inputColumns: ['q'] };

function make(options: Record<string, unknown> & { type: string }): Retriever {
  const spec = retrievers.get(options.type);
  return spec.create(spec.schema.parse(options), undefined);
}

describe('retrievers', () => {
  it('zero-shot picks nothing; fixed picks the first k or the listed indices', async () => {
    expect(await make({ type: 'zero-shot' }).retrieve(test, [0, 1], train, context)).toEqual([[], []]);
    expect(await make({ type: 'fixed', k: 2 }).retrieve(test, [0, 1], train, context)).toEqual([[0, 1], [0, 1]]);
    expect(await make({ type: 'fixed', indices: [4, 2] }).retrieve(test, [0, 1], train, context)).toEqual([[4, 2], [4, 2]]);
  });

  it('fixed rejects an index outside the train split', async () => {
    await expect(make({ type: 'fixed', indices: [9] }).retrieve(test, [0], train, context)).rejects.toThrow('index 9 is out of range; the train split has 5 rows');
  });

  it('random is seeded per test index: same seed same picks, independent of batching', async () => {
    const retriever = make({ type: 'random', k: 3, seed: 7 });
    const both = await retriever.retrieve(test, [10, 11], train, context);
    const second = await retriever.retrieve([test[1]], [11], train, context);
    expect(second[0]).toEqual(both[1]);
    expect(new Set(both[0]).size).toBe(3);
    expect(both[0].every((index) => index >= 0 && index < train.length)).toBe(true);
    const other = await make({ type: 'random', k: 3, seed: 8 }).retrieve(test, [10, 11], train, context);
    expect(other).not.toEqual(both);
  });

  it('bm25 ranks the train rows sharing rare terms first and fills up to k', async () => {
    const picks = await make({ type: 'bm25', k: 3 }).retrieve(test, [0, 1], train, context);
    expect(picks[0].slice(0, 2).sort()).toEqual([0, 3]);
    expect(picks[0][0]).toBe(3); // "tower" and "paris" both match row 3
    expect(picks[1][0]).toBe(1); // "sunlight"
    expect(picks[1]).toHaveLength(3);
    expect(new Set(picks[1]).size).toBe(3);
  });

  it('top-k uses the model embeddings (cosine), ties by lower index', async () => {
    const model = new ScriptedModel('embedder', { embed: (text) => [text.includes('paris') ? 1 : 0, text.includes('water') ? 1 : 0, 0.01] });
    const picks = await make({ type: 'top-k', k: 2 }).retrieve(test, [0, 1], train, { ...context, model });
    expect(picks[0]).toEqual([0, 3]);
  });

  it('top-k needs a model that can embed', async () => {
    const model = new ScriptedModel('plain', {});
    await expect(make({ type: 'top-k', k: 2 }).retrieve(test, [0], train, { ...context, model })).rejects.toMatchObject({
      code: 'eval-model-capability',
      message: expect.stringContaining('model "plain" cannot embed'),
    });
  });
});
