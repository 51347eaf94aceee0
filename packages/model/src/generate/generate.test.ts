import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@chainlm/runtime';
import { createModel, forward } from '../model/index.js';
import { randomWeights, tinyConfig } from '../model/__tests__/fixtures.js';
import { generate } from './generate.js';

beforeAll(async () => {
  await initBackend();
});

/** A byte-level decoder (id = byte): a real UTF-8 decode, so split characters show as U+FFFD. */
const byteTokenizer = { decode: (ids: readonly number[]): string => new TextDecoder().decode(Uint8Array.from(ids)) };

describe('generate', () => {
  const config = tinyConfig({ vocabSize: 256, numKvHeads: 2, eosTokenId: 255 });
  const model = createModel(config, randomWeights(config, 12));

  it('greedy equals the argmax of a full forward over the growing sequence', async () => {
    const prompt = [72, 101, 108];
    const result = await generate(model, prompt, { maxNewTokens: 8, temperature: 0, stopIds: [] });
    const sequence = [...prompt];
    for (let step = 0; step < 8; step++) {
      const next = tf.tidy(() => {
        const logits = forward(model, tf.tensor2d([sequence], undefined, 'int32'));
        return tf.argMax(logits.slice([0, sequence.length - 1, 0], [1, 1, config.vocabSize]).reshape([config.vocabSize])).dataSync()[0]!;
      });
      sequence.push(next);
    }
    expect(result.ids).toEqual(sequence.slice(prompt.length));
    expect(result).toMatchObject({ finishReason: 'length', text: null });
  });

  it('sampling is reproducible per seed', async () => {
    const options = { maxNewTokens: 12, temperature: 1.5, topK: 50, topP: 0.95, stopIds: [] };
    const first = await generate(model, [1], { ...options, seed: 3 });
    const again = await generate(model, [1], { ...options, seed: 3 });
    const other = await generate(model, [1], { ...options, seed: 4 });
    expect(again.ids).toEqual(first.ids);
    expect(other.ids).not.toEqual(first.ids);
  });

  it('stops on a stop id without emitting it (default: the config EOS)', async () => {
    const greedy = await generate(model, [5, 6], { maxNewTokens: 6, temperature: 0, stopIds: [] });
    const stopAt = greedy.ids[2]!;
    const firstIndex = greedy.ids.indexOf(stopAt);
    const stopped = await generate(model, [5, 6], { maxNewTokens: 6, temperature: 0, stopIds: [stopAt] });
    expect(stopped).toMatchObject({ ids: greedy.ids.slice(0, firstIndex), finishReason: 'stop', stoppedBy: stopAt });
    const eosModelConfig = tinyConfig({ vocabSize: 256, numKvHeads: 2, eosTokenId: [stopAt, 254] });
    const eosModel = createModel(eosModelConfig, randomWeights(config, 12));
    expect((await generate(eosModel, [5, 6], { maxNewTokens: 6, temperature: 0 })).stoppedBy).toBe(stopAt);
    eosModel.dispose();
  });

  it('streams text whose deltas add up to the result, cut before a stop string', async () => {
    const prompt = [0xe4, 0xbd];
    const full = await generate(model, prompt, { maxNewTokens: 24, temperature: 0, stopIds: [], tokenizer: byteTokenizer });
    expect(full.text).toBe(byteTokenizer.decode(full.ids));
    const deltas: string[] = [];
    const streamed = await generate(model, prompt, { maxNewTokens: 24, temperature: 0, stopIds: [], tokenizer: byteTokenizer, onText: (delta) => deltas.push(delta) });
    expect(deltas.join('')).toBe(streamed.text);
    const text = full.text!;
    const stopString = text.slice(6, 8);
    const cut = text.indexOf(stopString);
    const stopDeltas: string[] = [];
    const stopped = await generate(model, prompt, { maxNewTokens: 24, temperature: 0, stopIds: [], tokenizer: byteTokenizer, stopStrings: [stopString], onText: (delta) => stopDeltas.push(delta) });
    expect(stopped).toMatchObject({ text: text.slice(0, cut), finishReason: 'stop', stoppedBy: stopString });
    expect(stopDeltas.join('')).toBe(stopped.text);
  });

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    const result = await generate(model, [1], { maxNewTokens: 50, temperature: 0, stopIds: [], signal: controller.signal, onToken: ({ index }) => index === 2 && controller.abort() });
    expect(result).toMatchObject({ finishReason: 'abort' });
    expect(result.ids).toHaveLength(3);
  });

  it('rejects bad requests with a fix', async () => {
    await expect(generate(model, [], { maxNewTokens: 2 })).rejects.toThrow(/prompt is empty/);
    await expect(generate(model, [1], { maxNewTokens: -1 })).rejects.toThrow(/maxNewTokens must be a non-negative integer/);
    await expect(generate(model, [1], { maxNewTokens: 2, stopStrings: ['x'] })).rejects.toThrow(/stopStrings need a tokenizer/);
    await expect(generate(model, [300], { maxNewTokens: 2 })).rejects.toThrow(/prompt token id 300 is outside/);
    await expect(generate(model, [1], { maxNewTokens: 2, temperature: -1 })).rejects.toThrow(/temperature/);
    expect(await generate(model, [1], { maxNewTokens: 0 })).toMatchObject({ ids: [], finishReason: 'length' });
  });
});
