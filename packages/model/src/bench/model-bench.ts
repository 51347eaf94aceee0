/**
 * `npm run bench -w packages/model`: speed of the forwards on the live backend, each
 * as a ratio against a 2-D matMul measured in the same run (so a loaded machine
 * scales both). Writes docs/benchmarks/model.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, tf } from '@chainlm/runtime';
import { presetConfig, type ModelConfig } from '../config/index.js';
import { createModel, forward, forwardHidden, forwardStep, KvCache, linear, scaledDotProductAttention, trainingMask, type Model } from '../model/index.js';

interface Row { name: string; ms: number; work: string; ratio: number }

function timeIt(run: () => void, repeats: number): number {
  run();
  const start = performance.now();
  for (let index = 0; index < repeats; index++) run();
  return (performance.now() - start) / repeats;
}

function tokens(config: ModelConfig, batch: number, length: number): tf.Tensor2D {
  return tf.tensor2d(Array.from({ length: batch * length }, (_, index) => (index * 7919) % config.vocabSize), [batch, length], 'int32');
}

function decodeMs(model: Model, context: number, steps: number): number {
  const cache = new KvCache(model.config, { numSequences: 1, maxLength: context + steps + 1 });
  const prompt = Int32Array.from({ length: context }, (_, index) => (index * 31) % model.config.vocabSize);
  forwardStep(model, { tokenIds: prompt, positions: cache.beginStep(new Int32Array(context)), attention: cache, logitRows: Int32Array.of(context - 1) }).dispose();
  const start = performance.now();
  for (let step = 0; step < steps; step++) {
    const logits = forwardStep(model, { tokenIds: Int32Array.of(step + 3), positions: cache.beginStep([0]), attention: cache });
    logits.dataSync();
    logits.dispose();
  }
  return (performance.now() - start) / steps;
}

async function main(): Promise<void> {
  const report = await initBackend();
  const config = presetConfig('s15');
  const model = createModel(config, undefined, { seed: 1 });
  const [batch, length] = [8, 256];
  const ids = tokens(config, batch, length);
  const x = tf.randomNormal([batch * length, 288]) as tf.Tensor2D;
  const w = tf.randomNormal([288, 288]) as tf.Tensor2D;
  const baseline = timeIt(() => tf.tidy(() => { linear(x, w).dataSync(); }), 10);
  const rows: Row[] = [{ name: 'baseline: matMul [2048,288]·[288,288]', ms: baseline, work: `${((2 * 2048 * 288 * 288) / baseline / 1e6).toFixed(1)} GFLOP/s`, ratio: 1 }];
  const add = (name: string, ms: number, work: string): void => {
    rows.push({ name, ms, work, ratio: ms / baseline });
    console.log(`${name}: ${ms.toFixed(1)} ms (${work})`);
  };
  const perTokens = (ms: number, count: number): string => `${Math.round((count / ms) * 1000)} tokens/s`;

  add('s15 forward, logits [8,256,32000]', timeIt(() => tf.tidy(() => { forward(model, ids).dataSync(); }), 2), '');
  rows.at(-1)!.work = perTokens(rows.at(-1)!.ms, batch * length);
  const hiddenMs = timeIt(() => tf.tidy(() => { forwardHidden(model, ids).dataSync(); }), 2);
  add('s15 forwardHidden (no classifier)', hiddenMs, perTokens(hiddenMs, batch * length));
  const trainMs = timeIt(() => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(forwardHidden(model, ids))) as tf.Scalar);
    value.dataSync();
    tf.dispose(Object.values(grads));
  }), 1);
  add('s15 forwardHidden + backward', trainMs, perTokens(trainMs, batch * length));
  const decode = decodeMs(model, 128, 16);
  add('s15 decode 1 token at context 128 (KvCache)', decode, perTokens(decode, 1));

  const q = tf.randomNormal([batch, length, 6, 48]) as tf.Tensor4D;
  const kv = tf.randomNormal([batch, length, 6, 48]) as tf.Tensor4D;
  const mask = trainingMask(batch, length);
  for (const products of ['sliced', 'batched'] as const) {
    add(`attention [8,256,6,48], ${products} products`, timeIt(() => tf.tidy(() => { scaledDotProductAttention(q, kv, kv, { mask, products }).dataSync(); }), 3), `${((4 * batch * 6 * length * length * 48) / 1e9).toFixed(2)} GFLOP`);
  }

  const table = [
    `# @chainlm/model benchmark`,
    ``,
    `Backend: ${report.backend}. Shapes: s15 preset (dim 288, 6 layers, 6 heads, FFN 768, vocab 32000), batch 8 × 256 tokens. Ratio = time / baseline time (same run).`,
    ``,
    `| what | ms | throughput | ratio to baseline |`,
    `| --- | ---: | --- | ---: |`,
    ...rows.map((row) => `| ${row.name} | ${row.ms.toFixed(1)} | ${row.work} | ${row.ratio.toFixed(1)} |`),
    ``,
  ].join('\n');
  console.log(`\n${table}`);
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/benchmarks/model.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, table);
  model.dispose();
}

await main();
