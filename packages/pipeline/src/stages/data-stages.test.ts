import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry, parseConfigText, resolveHome } from '@chainlm/core';
import { openShards } from '@chainlm/data';
import { runPipeline } from '../runner.js';
import { pipelineSchema } from '../schema.js';
import { builtinStageKinds } from './index.js';

const yaml = `name: mini
stages:
  - name: data
    uses: demo-data
    with: { stories: 300, arithmetic: 200, toolUse: 20, storyQa: 20 }
  - name: ingest-stories
    uses: ingest
    with: { dataset: stories, files: ["\${stages.data.stories}"] }
  - name: ingest-chat
    uses: ingest
    with: { dataset: chat, files: ["\${stages.data.instructionsTrain}"] }
  - name: clean
    uses: clean
    with:
      input: "\${stages.ingest-stories.dataset}"
      output: stories-clean
      operators:
        - { op: nfkc }
        - { op: exact-dedup }
  - name: tokenizer
    uses: tokenizer
    with: { name: demo-bpe, datasets: ["\${stages.clean.dataset}"], vocabSize: 512 }
  - name: tokenize
    uses: tokenize
    with: { input: "\${stages.clean.dataset}", output: stories-tok, tokenizer: "\${stages.tokenizer.path}", seqLen: 64 }
  - name: tokenize-chat
    uses: tokenize
    with: { input: "\${stages.ingest-chat.dataset}", output: chat-tok, tokenizer: "\${stages.tokenizer.path}", seqLen: 64 }
  - name: pretrain
    uses: pretrain
    with:
      config:
        model: { size: tiny, shape: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 1 } }
        data: { shards: "\${stages.tokenize.path}" }
        batchSize: 4
        maxSteps: 3
        evalInterval: 3
        evalBatches: 1
        checkpointInterval: 3
  - name: eval
    uses: eval
    with:
      name: mini-eval
      model: "\${stages.pretrain.model}"
      datasets:
        - abbr: arithmetic
          loader: { type: jsonl, splits: { test: "\${stages.data.arithmeticTest}" } }
          reader: { inputColumns: [question], outputColumn: answer }
          infer:
            promptTemplate: { template: "<|im_start|>user\\n{question}<|im_end|>\\n<|im_start|>assistant\\n" }
            retriever: { type: zero-shot }
            inferencer: { type: gen, maxOutLen: 4 }
          eval: { evaluator: { type: gsm8k } }
  - name: quantize
    uses: quantize
    with: { model: "\${stages.pretrain.model}", bits: 8, groupSize: 16, newTokens: 4 }
  - name: serve
    uses: serve
    with: { model: "\${stages.pretrain.model}", name: mini, port: 0 }
`;

describe('data stage kinds', () => {
  it('runs demo data → ingest → clean → tokenizer → tokenize → pretrain → eval, records lineage, and skips when re-run', async () => {
    const home = resolveHome({ CHAINLM_HOME: mkdtempSync(join(tmpdir(), 'chainlm-pipe-data-')) });
    const registry = new Registry({ file: home.registryFile });
    const spec = parseConfigText(yaml, 'mini.yaml', pipelineSchema);
    const kinds = builtinStageKinds();
    const report = await runPipeline(spec, { kinds, home, registry });
    expect(report.stages.map((stage) => [stage.name, stage.status, stage.error])).toEqual(spec.stages.map((stage) => [stage.name, 'done', undefined]));
    expect(report.stages[1].summary).toMatchObject({ ok: 300, quarantined: 0 });
    expect(report.stages[5].outputs.mode).toBe('pretrain');
    expect(report.stages[6].outputs.mode).toBe('sft');
    // The exported model carries its tokenizer and the tokenizer's config (EOS, chat template).
    const model = String(report.stages[7].outputs.model);
    expect(readdirSync(model).sort()).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']));
    expect(report.stages[8].outputs.scores).toEqual({ arithmetic: expect.any(Number) });
    const modelLineage = await registry.lineage('model:mini-pretrain');
    expect(modelLineage!.up.map((entry) => entry.artifact.id)).toEqual(expect.arrayContaining(['dataset:stories-tok']));
    expect(modelLineage!.down.map((entry) => entry.artifact.kind)).toContain('eval');
    const card = readFileSync(join(model, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/^# mini-pretrain/);
    expect(card).toMatch(/## Data\n\n\| dataset \| kind \| records \| quarantined \|[\s\S]*\| `stories-tok` \| tokenized \|/);
    expect(card).toMatch(/## Training[\s\S]*\| pretrain \| 3 \| 4 \|/);
    expect(card).toMatch(/## Evaluation[\s\S]*\| arithmetic \| gen \| accuracy \|/);
    expect(card).toMatch(/## Quantization[\s\S]*\| w8a16 \| 16 \|/);
    // The lineage follows the edges: the run under the model, its shards under the run, their source under them.
    expect(card).toMatch(/## Lineage[\s\S]*\n- `run:[^`]+` \([a-z-]+\)\n  - `dataset:stories-tok` \(trained-on\)\n    - `dataset:stories-clean` \([a-z-]+\)\n/);
    const quantized = report.stages[9].summary;
    expect(quantized).toMatchObject({ scheme: 'w8a16', greedyAgreement: expect.any(Number) });
    expect(quantized.quantizedMiB as number).toBeLessThan(quantized.floatMiB as number);
    const shards = await openShards(join(home.path('datasets'), 'stories-tok'));
    expect(shards.manifest.seqLen).toBe(64);
    const lineage = await registry.lineage('dataset:stories-tok');
    expect(lineage!.up.map((entry) => entry.artifact.id)).toEqual(expect.arrayContaining(['dataset:stories-clean', 'dataset:stories']));

    // The serve stage left a live OpenAI-compatible server with a deployment record.
    const url = String(report.stages[10].outputs.url);
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(['mini']);
    expect((await registry.list({ kind: 'deployment' })).map((artifact) => artifact.name)).toEqual(['mini-mini']);
    for (const service of report.services) await service.close();

    const again = await runPipeline(spec, { kinds, home, registry, skipKinds: ['serve'] });
    expect(again.stages.every((stage) => stage.status === 'skipped')).toBe(true);
  }, 300_000);
});
