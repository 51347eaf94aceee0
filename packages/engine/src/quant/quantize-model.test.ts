import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, presetConfig, type Model } from '@chainlm/model';
import { loadQuantized, saveQuantized } from './quantized-io.js';
import { createQuantizedModel, dequantizeWeights, quantizeModel, quantizedModelBytes } from './quantize-model.js';

describe('quantizeModel', () => {
  let model: Model;
  const dir = mkdtempSync(join(tmpdir(), 'chainlm-quant-'));
  beforeAll(async () => {
    await initBackend();
    model = createModel(presetConfig('tiny', { vocabSize: 64, numLayers: 2, hiddenSize: 64, numHeads: 4, numKvHeads: 2, intermediateSize: 96, maxPositionEmbeddings: 64 }), undefined, { seed: 3 });
  });
  afterAll(() => {
    model?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('W8 and W4 shrink the linear weights, keep the rest, and stay close to the float weights', () => {
    const float = model.toWeightMap();
    const floatBytes = [...float.values()].reduce((sum, tensor) => sum + tensor.data.byteLength, 0);
    const w8 = quantizeModel(model, { bits: 8, groupSize: 32 });
    const w4 = quantizeModel(model, { bits: 4, groupSize: 32 });
    expect(w8.matrices.size).toBe(2 * 7);
    expect(w8.dense.has('model.embed_tokens.weight')).toBe(true);
    expect(quantizedModelBytes(w4)).toBeLessThan(quantizedModelBytes(w8));
    expect(quantizedModelBytes(w8)).toBeLessThan(floatBytes);
    const name = 'model.layers.1.mlp.down_proj.weight';
    const error = (weights: ReturnType<typeof dequantizeWeights>) => {
      const a = float.get(name)!.data;
      const b = weights.get(name)!.data;
      return Math.max(...a.map((value, index) => Math.abs(value - b[index])));
    };
    expect(error(dequantizeWeights(w8))).toBeLessThan(error(dequantizeWeights(w4)));
    expect(error(dequantizeWeights(w4))).toBeLessThan(0.02);
  });

  it('AWQ calibration picks a scale per matrix that is never worse than plain', () => {
    const calibrated = quantizeModel(model, { bits: 4, groupSize: 32, calibrationTokenIds: [[1, 5, 9, 13, 2, 7, 30, 41], [3, 3, 8]] });
    expect(calibrated.reports).toHaveLength(14);
    for (const report of calibrated.reports) expect(report.error).toBeLessThanOrEqual(report.plainError);
  });

  it('saves and loads bit-exactly, and the loaded model runs', async () => {
    const w4 = quantizeModel(model, { bits: 4, groupSize: 32, calibrationTokenIds: [[1, 2, 3, 4]] });
    await saveQuantized(dir, w4);
    const loaded = await loadQuantized(dir);
    expect(loaded.bits).toBe(4);
    const name = 'model.layers.0.self_attn.q_proj.weight';
    expect(Array.from(loaded.matrices.get(name)!.codes)).toEqual(Array.from(w4.matrices.get(name)!.codes));
    expect(Array.from(loaded.matrices.get(name)!.channelScales)).toEqual(Array.from(w4.matrices.get(name)!.channelScales));
    const runnable = createQuantizedModel(loaded);
    expect(runnable.config.hiddenSize).toBe(64);
    runnable.dispose();
  });

  it('rejects bad bits and a file that is not a quantized model', async () => {
    expect(() => quantizeModel(model, { bits: 3 as never })).toThrow(/bits must be 4 or 8/);
    await expect(loadQuantized(join(dir, 'absent'))).rejects.toThrow(/quantized\.json: cannot read/);
    await saveQuantized(dir, quantizeModel(model, { bits: 8, groupSize: 32 }));
    writeFileSync(join(dir, 'quantized.bin'), new Uint8Array(16));
    await expect(loadQuantized(dir)).rejects.toThrow(/ends past the file/);
    writeFileSync(join(dir, 'quantized.json'), JSON.stringify({ format: 'other' }));
    await expect(loadQuantized(dir)).rejects.toThrow(/quantized\.json: format/);
  });
});
