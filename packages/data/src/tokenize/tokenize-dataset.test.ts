import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveHome } from '@chainlm/core';
import * as model from '@chainlm/model';
import { ingest } from '../ingest/ingest.js';
import { readQuarantine, readRecords } from '../store/read-records.js';
import { openShards } from './open-shards.js';
import { isValidation, tokenizeDataset } from './tokenize-dataset.js';

const shared = resolve(import.meta.dirname, '../../../../../shared');
const gpt2 = join(shared, 'models/gpt2-tokenizer');
const loadTokenizer = (model as Record<string, unknown>).loadTokenizer as ((path: string) => Promise<{ decode(ids: number[]): string; eosId: number }>) | undefined;
const ready = existsSync(gpt2) && typeof loadTokenizer === 'function';
if (!ready) console.warn(`skipping tokenize tests: needs ${gpt2} and @chainlm/model's loadTokenizer export`);

describe.skipIf(!ready)('tokenizeDataset', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-data-tok-'));
  const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('pretrain shards decode back to the original documents exactly', async () => {
    const text = readFileSync(join(shared, 'datasets/tinyshakespeare/input.txt'), 'utf8').split('\n').slice(0, 3000).join('\n');
    const file = join(root, 'shakespeare.txt');
    writeFileSync(file, text);
    await ingest({ home, dataset: 'shakespeare', paths: [file] });
    const manifest = await tokenizeDataset({ home, input: 'shakespeare', output: 'shakespeare-tok', tokenizer: gpt2, seqLen: 128, validationFraction: 0.1, rowsPerShard: 16, workers: 0 });
    const tokenizer = await loadTokenizer!(gpt2);
    expect(manifest.tokenizer.eosId).toBe(tokenizer.eosId);
    expect(manifest.splits.train.files.length).toBeGreaterThan(1);

    const expected = { train: [] as string[], validation: [] as string[] };
    for await (const batch of readRecords(home, 'shakespeare')) {
      for (const record of batch) expected[isValidation(record.id, 0.1) ? 'validation' : 'train'].push(record.text as string);
    }
    expect(expected.validation.length).toBeGreaterThan(0);
    const shards = await openShards(home.path('datasets', 'shakespeare-tok'));
    for (const split of ['train', 'validation'] as const) {
      const ids: number[] = [];
      let rows = 0;
      for await (const batch of shards.batches({ split, batchRows: 7 })) {
        rows += batch.rows;
        for (let index = 0; index < batch.tokenIds.length; index++) if (batch.segmentIds[index] !== 0) ids.push(batch.tokenIds[index]);
      }
      expect(rows).toBe(manifest.splits[split].rows);
      expect(ids.length).toBe(manifest.splits[split].tokens);
      const documents: string[] = [];
      let start = 0;
      for (let index = 0; index < ids.length; index++) {
        if (ids[index] !== tokenizer.eosId) continue;
        documents.push(tokenizer.decode(ids.slice(start, index)));
        start = index + 1;
      }
      expect(documents).toEqual(expected[split]);
    }
  });

  it('SFT loss masks cover exactly the assistant spans', async () => {
    const conversations = [
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Paris.' },
        { role: 'user', content: '和德国呢？' },
        { role: 'assistant', content: '柏林。' },
      ],
      [
        { role: 'user', content: 'Say hi' },
        { role: 'assistant', content: 'hi there' },
      ],
    ];
    const file = join(root, 'chat.jsonl');
    writeFileSync(file, conversations.map((messages) => JSON.stringify({ messages })).join('\n'));
    await ingest({ home, dataset: 'chat', paths: [file] });
    const manifest = await tokenizeDataset({ home, input: 'chat', output: 'chat-tok', tokenizer: gpt2, seqLen: 160, chatTemplate: 'chatml', validationFraction: 0, workers: 0 });
    expect(manifest.mode).toBe('sft');
    expect(manifest.splits.train).toMatchObject({ documents: 2, truncated: 0, skipped: 0, rows: 1 });
    const tokenizer = await loadTokenizer!(gpt2);
    const shards = await openShards(home.path('datasets', 'chat-tok'));
    // Group tokens by (row, segment): one segment = one conversation.
    const segments = new Map<string, { masked: number[]; all: number[] }>();
    let row = 0;
    for await (const batch of shards.batches({ batchRows: 1 })) {
      for (let index = 0; index < batch.tokenIds.length; index++) {
        if (batch.segmentIds[index] === 0) continue;
        const key = `${row}:${batch.segmentIds[index]}`;
        const entry = segments.get(key) ?? { masked: [], all: [] };
        segments.set(key, entry);
        entry.all.push(batch.tokenIds[index]);
        if (batch.lossMask[index]) entry.masked.push(batch.tokenIds[index]);
      }
      row++;
    }
    const assistantText = [...segments.values()].map((entry) => tokenizer.decode(entry.masked));
    const wholeText = [...segments.values()].map((entry) => tokenizer.decode(entry.all));
    // Both conversations share one 160-token row as two segments; neither is cut.
    expect(assistantText).toEqual(['Paris.<|im_end|>\n柏林。<|im_end|>\n', 'hi there<|im_end|>\n']);
    expect(wholeText[1]).toBe('<|im_start|>user\nSay hi<|im_end|>\n<|im_start|>assistant\nhi there<|im_end|>\n');
  });

  it('SFT on function-calling chats: tools and tool calls render through the template, bad calls are quarantined', async () => {
    const tools = [{ type: 'function', function: { name: 'calculator', parameters: { type: 'object', properties: { expression: { type: 'string' } } } } }];
    const call = (args: unknown) => ({ id: 'call_1', type: 'function', function: { name: 'calculator', arguments: args } });
    const good = {
      tools,
      messages: [
        { role: 'user', content: 'Calculate 3 * 4.' },
        { role: 'assistant', content: null, tool_calls: [call('{"expression": "3 * 4"}')] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"result":"12"}' },
        { role: 'assistant', content: '3 * 4 = 12.' },
      ],
    };
    const badJson = { tools, messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [call('{expression')] }] };
    const userCall = { messages: [{ role: 'user', content: 'x', tool_calls: [call({})] }, { role: 'assistant', content: 'y' }] };
    const file = join(root, 'calls.jsonl');
    writeFileSync(file, [good, badJson, userCall].map((record) => JSON.stringify(record)).join('\n'));
    const report = await ingest({ home, dataset: 'calls', paths: [file] });
    expect(report).toMatchObject({ ok: 1, quarantined: 2 });
    const reasons = (await readQuarantine(home, 'calls')).map((row) => `${row.line}: ${row.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^2: messages\[1\]: tool_calls\[0\]: field "function.arguments": not valid JSON/),
      '3: messages[0]: field "tool_calls": only assistant messages call tools, this one is "user"',
    ]);

    await tokenizeDataset({ home, input: 'calls', output: 'calls-tok', tokenizer: gpt2, seqLen: 256, chatTemplate: 'chatml', validationFraction: 0, workers: 0 });
    const tokenizer = await loadTokenizer!(gpt2);
    const shards = await openShards(home.path('datasets', 'calls-tok'));
    const all: number[] = [];
    const masked: number[] = [];
    for await (const batch of shards.batches({ batchRows: 1 })) {
      for (let index = 0; index < batch.tokenIds.length; index++) {
        if (batch.segmentIds[index] === 0) continue;
        all.push(batch.tokenIds[index]);
        if (batch.lossMask[index]) masked.push(batch.tokenIds[index]);
      }
    }
    const block = '<tool_call>\n{"name": "calculator", "arguments": {"expression": "3 * 4"}}\n</tool_call><|im_end|>\n';
    expect(tokenizer.decode(all)).toBe(
      '<|im_start|>system\nTools: calculator<|im_end|>\n<|im_start|>user\nCalculate 3 * 4.<|im_end|>\n' +
        `<|im_start|>assistant\n${block}<|im_start|>tool\n{"result":"12"}<|im_end|>\n<|im_start|>assistant\n3 * 4 = 12.<|im_end|>\n`,
    );
    expect(tokenizer.decode(masked)).toBe(`${block}3 * 4 = 12.<|im_end|>\n`);
  });

  it('refuses mcq datasets and existing outputs', async () => {
    const file = join(root, 'mcq.jsonl');
    writeFileSync(file, JSON.stringify({ question: 'q', choices: ['a', 'b'], answer: 0 }));
    await ingest({ home, dataset: 'mcq', paths: [file] });
    await expect(tokenizeDataset({ home, input: 'mcq', output: 'mcq-tok', tokenizer: gpt2, seqLen: 16 })).rejects.toThrow(/does not support mcq/);
    await expect(tokenizeDataset({ home, input: 'chat', output: 'chat-tok', tokenizer: gpt2, seqLen: 16 })).rejects.toThrow(/already exists/);
  });
});
