/**
 * `uses: quantize` — weight-only W8A16/W4A16 quantization (group-wise scales, AWQ
 * scaling when calibration text is given) of a model folder. Reports the size saved,
 * decode speed and how often greedy decoding agrees with the float32 model.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Engine, createQuantizedModel, quantizeModel, quantizedModelBytes, saveQuantized, stepModelFrom } from '@chainlm/engine';
import { createModel, loadHfFolder, loadTokenizer, parseHfConfig, type Model } from '@chainlm/model';
import { initBackend } from '@chainlm/runtime';
import { z } from 'zod';
import type { StageKind } from '../stage-kind.js';
import { stageParams } from './params.js';

const schema = z.strictObject({
  model: z.string(),
  bits: z.union([z.literal(4), z.literal(8)]).default(4),
  groupSize: z.number().int().positive().default(32),
  /** Prompts used for AWQ calibration and for the speed/agreement check. */
  prompts: z.array(z.string()).min(1).default(['Once upon a time, there was a little girl named Lily.', 'One day, Tom went to the park with his dad.']),
  newTokens: z.number().int().positive().default(32),
});

async function greedyRun(model: Model, prompts: number[][], newTokens: number): Promise<{ ids: number[][]; tokensPerSecond: number }> {
  const engine = new Engine(stepModelFrom(model), { config: { maxSeqs: prompts.length, printPlan: false } });
  const started = performance.now();
  const finishes = await Promise.all(
    prompts.map(
      (promptTokenIds) =>
        new Promise<number[]>((resolve) => {
          engine.addRequest({ promptTokenIds, sampling: { temperature: 0, maxTokens: newTokens, ignoreEos: true } }, (event) => {
            if (event.type === 'request-finish') resolve(event.outputs[0].tokenIds);
          });
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  return { ids: finishes, tokensPerSecond: (prompts.length * newTokens) / seconds };
}

export const quantizeStage: StageKind = {
  name: 'quantize',
  description: 'weight-only int8/int4 quantization of a model folder, with size, speed and greedy agreement against float32',
  version: 1,
  code: ['@chainlm/engine', '@chainlm/model', '@chainlm/runtime'],
  async run(params, context) {
    const options = stageParams(schema, params, 'quantize');
    await initBackend();
    const folder = await loadHfFolder(options.model);
    const config = parseHfConfig(folder.configJson, join(options.model, 'config.json'));
    const tokenizer = folder.tokenizerPath ? await loadTokenizer(options.model) : undefined;
    const prompts = options.prompts.map((text, index) => (tokenizer ? tokenizer.encode(text, { addSpecialTokens: false }) : [1 + index]));
    const model = createModel(config, folder.weights);
    const quantized = quantizeModel(model, { bits: options.bits, groupSize: options.groupSize, calibrationTokenIds: prompts });
    const out = context.home.path('models', `${context.pipeline}-${context.stage}`);
    mkdirSync(out, { recursive: true });
    await saveQuantized(out, quantized);
    for (const file of [join(options.model, 'config.json'), ...folder.tokenizerFiles]) if (existsSync(file)) copyFileSync(file, join(out, basename(file)));
    const floatBytes = [...folder.weights.values()].reduce((sum, tensor) => sum + tensor.data.length * 4, 0);
    const quantizedBytes = quantizedModelBytes(quantized);
    const reference = await greedyRun(model, prompts, options.newTokens);
    const dequantized = createQuantizedModel(quantized);
    const candidate = await greedyRun(dequantized, prompts, options.newTokens);
    model.dispose();
    dequantized.dispose();
    let same = 0;
    reference.ids.forEach((ids, row) => ids.forEach((id, index) => (same += candidate.ids[row][index] === id ? 1 : 0)));
    const artifact = await context.registry.record({
      kind: 'model',
      name: `${context.pipeline}-${context.stage}`,
      path: out,
      metadata: { quantization: `w${options.bits}a16`, groupSize: options.groupSize, bytes: quantizedBytes, floatBytes },
      inputs: context.upstreamArtifacts.filter((id) => id.startsWith('model:')).map((id) => ({ id, relation: 'quantized-from' })),
    });
    const summary = {
      scheme: `w${options.bits}a16`,
      floatMiB: floatBytes / 2 ** 20,
      quantizedMiB: quantizedBytes / 2 ** 20,
      sizeRatio: quantizedBytes / floatBytes,
      floatTokensPerSecond: reference.tokensPerSecond,
      quantizedTokensPerSecond: candidate.tokensPerSecond,
      greedyAgreement: same / (prompts.length * options.newTokens),
    };
    return { outputs: { model: out, ...summary }, artifacts: [artifact.id], summary };
  },
  stillValid: (outputs) => existsSync(join(String(outputs.model), 'quantized.json')),
};
