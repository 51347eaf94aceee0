/**
 * Quantized serving: `--quant` quantizes a float folder at load through the engine,
 * and a folder written by the engine's saveQuantized is served as it is. The served
 * weights are checked against the engine's own quantized model (same greedy tokens
 * and logprobs), and against the float model (different logprobs: it really is
 * quantized).
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '@chainlm/core';
import { Engine, createQuantizedModel, quantizeModel, quantizedModelBytes, saveQuantized, stepModelFrom, type ServingEngine } from '@chainlm/engine';
import { createModel, loadHfFolder, parseHfConfig, saveHfFolder } from '@chainlm/model';
import { program } from '../cli/program.js';
import { makeTinyChatModel } from '../testing/tiny-chat-model.js';
import { describeQuantization, loadServedModel } from './load-model.js';
import type { ServedModel } from './served-model.js';

let dir: string;
const opened: ServedModel[] = [];
const prompt = [5, 9, 17, 3, 40];

beforeAll(async () => {
  dir = await makeTinyChatModel(undefined, { steps: 3 });
}, 120_000);

afterAll(async () => {
  for (const model of opened) await model.engine.close();
});

async function load(path: string, options: Parameters<typeof loadServedModel>[1] = {}): Promise<ServedModel> {
  const model = await loadServedModel(path, { engine: { maxSeqs: 4, cacheGiB: 0.01 }, ...options });
  opened.push(model);
  return model;
}

/** Greedy ids and their logprobs for `prompt`. */
function greedy(engine: ServingEngine): Promise<{ ids: number[]; logprobs: number[] }> {
  return new Promise((resolve) =>
    engine.addRequest({ promptTokenIds: prompt, sampling: { temperature: 0, maxTokens: 8, ignoreEos: true, logprobs: 0 } }, (event) => {
      if (event.type === 'request-finish') resolve({ ids: event.outputs[0].tokenIds, logprobs: event.outputs[0].logprobs!.map((entry) => entry.logprob) });
    }),
  );
}

/** The float model behind an engine, and the engine's own quantization of it. */
async function engineQuantized(bits: 4 | 8, groupSize: number) {
  const folder = await loadHfFolder(dir);
  const float = createModel(parseHfConfig(folder.configJson), folder.weights);
  return { float: new Engine(stepModelFrom(float), { config: { maxSeqs: 4, cacheGiB: 0.01 } }), quantized: quantizeModel(float, { bits, groupSize }) };
}

describe('--quant at load', () => {
  it('serves the engine\'s W4A16 weights and reports the memory saved', async () => {
    const served = await load(dir, { quant: { scheme: 'w4a16', groupSize: 32 } });
    const { float, quantized } = await engineQuantized(4, 32);
    const reference = new Engine(stepModelFrom(createQuantizedModel(quantized)), { config: { maxSeqs: 4, cacheGiB: 0.01 } });
    const [mine, theirs, floats] = [await greedy(served.engine), await greedy(reference), await greedy(float)];
    expect(mine.ids).toEqual(theirs.ids);
    mine.logprobs.forEach((logprob, index) => expect(logprob).toBeCloseTo(theirs.logprobs[index], 5));
    // Not the float weights: the first logprob moves by the quantization error.
    expect(Math.abs(mine.logprobs[0] - floats.logprobs[0])).toBeGreaterThan(1e-5);
    expect(served.quantization).toEqual({ scheme: 'w4a16', groupSize: 32, awq: false, storedBytes: quantizedModelBytes(quantized), floatBytes: expect.any(Number) });
    expect(served.quantization!.storedBytes).toBeLessThan(served.quantization!.floatBytes);
    expect(describeQuantization(served.quantization!)).toMatch(/^w4a16, group 32: weights [\d.]+ MiB instead of [\d.]+ MiB float32 — [\d.]+ MiB saved \(\d+%\)/);
    await Promise.all([float.close(), reference.close()]);
  });

  it('calibrates AWQ scales on texts when given, and needs a tokenizer for them', async () => {
    const served = await load(dir, { quant: { scheme: 'w8a16', groupSize: 32, calibrationTexts: ['Say hello.', 'What is 2 + 2?'] } });
    expect(served.quantization).toMatchObject({ scheme: 'w8a16', awq: true });
    await expect(load(dir, { quant: { scheme: 'w8a16', calibrationTexts: ['', '  '] } })).rejects.toThrow(/calibration file has no text/);
  });
});

describe('a saveQuantized folder as MODEL', () => {
  it('is served as it is, with the folder\'s tokenizer, and refuses a second --quant', async () => {
    const { float, quantized } = await engineQuantized(8, 32);
    await float.close();
    const out = join(mkdtempSync(join(tmpdir(), 'chainlm-serve-quant-')), 'tiny-w8');
    await saveQuantized(out, quantized);
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(dir, file), join(out, file));
    const served = await load(out);
    expect(served.id).toBe('tiny-w8');
    expect(served.tokenizer).toBeDefined();
    expect(served.quantization).toMatchObject({ scheme: 'w8a16', groupSize: 32, storedBytes: quantizedModelBytes(quantized) });
    const reference = new Engine(stepModelFrom(createQuantizedModel(quantized)), { config: { maxSeqs: 4, cacheGiB: 0.01 } });
    expect((await greedy(served.engine)).ids).toEqual((await greedy(reference)).ids);
    await reference.close();
    await expect(loadServedModel(out, { quant: { scheme: 'w4a16' } })).rejects.toThrow(/already quantized/);
  });
});

describe('chainlm-serve --quant', () => {
  const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/bin/chainlm-serve.js');

  it('prints the memory saved at start-up', async () => {
    const child = spawn(process.execPath, [bin, dir, '--port', '0', '--quant', 'w4a16', '--quant-group-size', '32', '--cache-max-entry-count', '0.01'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    await new Promise<void>((done, fail) => {
      child.stderr.on('data', (chunk) => {
        log += chunk;
        if (log.includes('serving "')) done();
      });
      child.once('exit', (code) => fail(new Error(`exited ${code}: ${log}`)));
    });
    child.kill('SIGTERM');
    expect(log).toMatch(/quantized weights: w4a16, group 32: weights [\d.]+ MiB instead of [\d.]+ MiB float32 — [\d.]+ MiB saved/);
  }, 60_000);

  it.each([
    [['--quant', 'q4'], /--quant: unknown scheme "q4"/],
    [['--quant', 'w4a16', '--quant-group-size', '0'], /--quant-group-size must be a positive integer/],
    [['--awq-calibration', 'x.txt'], /--awq-calibration needs --quant/],
    [['--quant', 'w4a16', '--awq-calibration', '/nonexistent/calibration.txt'], /does not exist/],
  ])('refuses %j with exit code 2', async (flags, message) => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk) => (text += chunk));
    expect(await runProgram(program, [dir, ...flags], { stdout: new PassThrough(), stderr })).toBe(2);
    expect(text).toMatch(message);
  });

  it('refuses AWQ calibration for a folder without a tokenizer', async () => {
    const bare = join(mkdtempSync(join(tmpdir(), 'chainlm-serve-bare-')), 'bare');
    const folder = await loadHfFolder(dir);
    await saveHfFolder(bare, { configJson: folder.configJson, weights: folder.weights });
    writeFileSync(join(bare, 'notes.txt'), 'no tokenizer here');
    await expect(loadServedModel(bare, { quant: { scheme: 'w4a16', calibrationTexts: ['Say hello.'] } })).rejects.toThrow(/has no tokenizer/);
  });
});
