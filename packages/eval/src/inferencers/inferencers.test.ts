import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { ScriptedModel } from '../__tests__/scripted-model.js';
import { inferencers, type InferItem, type Inferencer } from './inferencer.js';

function make(options: Record<string, unknown> & { type: string }): Inferencer {
  const spec = inferencers.get(options.type);
  return spec.create(spec.schema.parse(options), undefined);
}

const letters = ['A', 'B', 'C', 'D'].map((label) => ({ label, continuation: ` ${label}` }));
const item = (index: number, candidates = letters): InferItem => ({ index, row: {}, prompt: `Q${index}\nAnswer:`, candidates, reference: 'B' });

/** A model whose log-prob of each continuation is looked up per prompt. */
function table(values: Record<string, Record<string, number>>, tokens: (continuation: string) => number = () => 1) {
  return new ScriptedModel('table', {
    loglikelihood: ({ context, continuation }) => ({ logprob: values[context][continuation], tokenCount: tokens(continuation) }),
  });
}

describe('ppl inferencer', () => {
  it('picks the candidate with the highest log-likelihood, in one batched call', async () => {
    const model = table({ 'Q0\nAnswer:': { ' A': -3, ' B': -1, ' C': -2, ' D': -4 }, 'Q1\nAnswer:': { ' A': -5, ' B': -6, ' C': -7, ' D': -0.5 } });
    const records = await make({ type: 'ppl' }).infer([item(0), item(1)], model);
    expect(records.map((record) => record.prediction)).toEqual(['B', 'D']);
    expect(records[0].scores).toEqual({ A: -3, B: -1, C: -2, D: -4 });
    expect(model.loglikelihoodCalls).toHaveLength(1);
    expect(model.loglikelihoodCalls[0]).toHaveLength(8);
  });

  it('breaks ties toward the earliest candidate', async () => {
    const model = table({ 'Q0\nAnswer:': { ' A': -3, ' B': -1, ' C': -1, ' D': -2 }, 'Q1\nAnswer:': { ' A': -1, ' B': -1, ' C': -1, ' D': -1 } });
    const records = await make({ type: 'ppl' }).infer([item(0), item(1)], model);
    expect(records.map((record) => record.prediction)).toEqual(['B', 'A']);
  });

  it('normalises by tokens or bytes when asked', async () => {
    const candidates = [
      { label: 'A', continuation: ' a long answer' },
      { label: 'B', continuation: ' short' },
    ];
    const values = { 'Q0\nAnswer:': { ' a long answer': -6, ' short': -4 } };
    const tokens = (continuation: string) => continuation.trim().split(' ').length;
    expect((await make({ type: 'ppl' }).infer([item(0, candidates)], table(values, tokens)))[0].prediction).toBe('B');
    expect((await make({ type: 'ppl', normalization: 'tokens' }).infer([item(0, candidates)], table(values, tokens)))[0].scores).toEqual({ A: -2, B: -4 });
    expect((await make({ type: 'ppl', normalization: 'bytes' }).infer([item(0, candidates)], table(values, tokens)))[0].scores).toEqual({ A: -6 / 14, B: -4 / 6 });
  });
});

describe('clp inferencer', () => {
  it('renormalises single-token choice probabilities and picks the best (ties to the earliest)', async () => {
    const model = table({ 'Q0\nAnswer:': { ' A': Math.log(0.1), ' B': Math.log(0.3), ' C': Math.log(0.3), ' D': Math.log(0.1) } });
    const [record] = await make({ type: 'clp' }).infer([item(0)], model);
    expect(record.prediction).toBe('B');
    expect(record.scores!.A).toBeCloseTo(0.125, 12);
    expect(record.scores!.B).toBeCloseTo(0.375, 12);
  });

  it('rejects a multi-token choice', async () => {
    const model = table({ 'Q0\nAnswer:': { ' A': -1, ' B': -1, ' C': -1, ' D': -1 } }, (continuation) => (continuation === ' C' ? 2 : 1));
    await expect(make({ type: 'clp' }).infer([item(0)], model)).rejects.toMatchObject({ code: 'eval-clp-multi-token' });
  });
});

describe('gen and ll inferencers', () => {
  it('gen passes decoding options and keeps every sample when n > 1', async () => {
    const model = new ScriptedModel('gen', { generate: (request, sample) => `${request.prompt.length}-${sample}` });
    const records = await make({ type: 'gen', maxOutLen: 5, stop: ['\n'], n: 3, temperature: 0.8 }).infer([item(0)], model);
    expect(records[0]).toMatchObject({ prediction: '10-0', predictions: ['10-0', '10-1', '10-2'], reference: 'B' });
    expect(model.generateCalls[0][0]).toMatchObject({ maxTokens: 5, stop: ['\n'], n: 3, temperature: 0.8 });
  });

  it('ll scores the whole prompt with an empty context and counts its bytes', async () => {
    const model = new ScriptedModel('ll', { loglikelihood: ({ context, continuation }) => ({ logprob: -continuation.length, tokenCount: context === '' ? 2 : 0 }) });
    const [record] = await make({ type: 'll' }).infer([{ index: 3, row: {}, prompt: 'héllo', reference: null }], model);
    expect(record).toMatchObject({ index: 3, logprob: -5, tokenCount: 2, bytes: 6, prediction: null });
  });
});
