import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runProgram, skipUnlessPresent } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelProgram } from './program.js';
import { fixtureTensors, writeLegacyFixture, type FixtureSpec } from '../io/__tests__/llama2c-fixture.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const models = resolve(repoRoot, '../shared/models');
const root = mkdtempSync(join(tmpdir(), 'chainlm-model-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: () => any }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await runProgram(modelProgram, argv, { stdout: sink((text) => (stdout += text)), stderr: sink((text) => (stderr += text)) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

// A tiny llama2.c model (vocab 32, 2 layers, GQA): the CLI is tested without ../shared.
const spec: FixtureSpec = { dim: 16, hiddenDim: 32, layers: 2, heads: 4, kvHeads: 2, vocabSize: 32, seqLen: 32, shared: true };
const bin = join(root, 'tiny.bin');
const hf = join(root, 'tiny');

describe('chainlm-model CLI', () => {
  beforeAll(async () => {
    writeLegacyFixture(bin, spec, fixtureTensors(spec));
    expect((await cli('import-llama2c', bin, '--out', hf)).code).toBe(0);
  });

  it('lists its six commands', async () => {
    const help = await cli('--help');
    for (const name of ['inspect', 'import-llama2c', 'convert', 'generate', 'export-gguf', 'tokenize']) expect(help.stdout).toContain(`  ${name}`);
  });

  it('inspect reports architecture, parameter count, dtype and tensors of folders, .bin and .gguf', async () => {
    const parameters = 32 * 16 + 2 * (16 + 16 * 16 + 2 * 8 * 16 + 16 * 16 + 16 + 3 * 32 * 16) + 16;
    const folder = (await cli('inspect', hf, '--json')).json();
    expect(folder).toMatchObject({ format: 'hf-folder', architecture: 'LlamaForCausalLM', parameters, dtype: 'F32' });
    expect(folder.tensors).toHaveLength(2 + 2 * 9);
    expect(folder.tensors[0]).toEqual({ name: 'model.embed_tokens.weight', shape: [32, 16], dtype: 'F32' });
    expect((await cli('inspect', bin, '--json')).json()).toMatchObject({ format: 'llama2c', parameters });
    expect((await cli('inspect', join(hf, 'model.safetensors'), '--json')).json()).toMatchObject({ format: 'safetensors', architecture: null, parameters, dtype: 'F32' });
    const human = await cli('inspect', hf);
    expect(human.stdout).toMatch(/architecture\s+LlamaForCausalLM\n\s+parameters\s+[\d,]+\n\s+dtype\s+F32\n\s+tensors\s+20/);
    expect(human.stdout).toMatch(/model\.layers\.0\.self_attn\.k_proj\.weight\s+F32\s+\[8, 16\]/);
    expect((await cli('export-gguf', hf, '--out', join(root, 'tiny.gguf'), '--type', 'q8_0')).code).toBe(0);
    const gguf = (await cli('inspect', join(root, 'tiny.gguf'), '--json')).json();
    expect(gguf).toMatchObject({ format: 'gguf', architecture: 'llama', parameters, dtype: 'mixed (F16 13, F32 5, Q8_0 2)' });
    // Rows of 16 values cannot be Q8_0 blocks (32): only ffn_down ([16, 32]) is quantized.
    expect(gguf.tensors.find((tensor: { name: string }) => tensor.name === 'blk.0.ffn_down.weight')).toEqual({ name: 'blk.0.ffn_down.weight', shape: [16, 32], dtype: 'Q8_0' });
    expect(gguf.tensors.find((tensor: { name: string }) => tensor.name === 'blk.1.attn_k.weight')).toEqual({ name: 'blk.1.attn_k.weight', shape: [8, 16], dtype: 'F16' });
  });

  it('convert writes f16 shards and back to f32, keeping values', async () => {
    const sharded = join(root, 'tiny-f16');
    const converted = await cli('convert', hf, '--out', sharded, '--dtype', 'f16', '--shard-size', '4KB', '--json');
    expect(converted.code).toBe(0);
    expect(converted.json().files).toContain('model.safetensors.index.json');
    expect((await cli('inspect', sharded, '--json')).json()).toMatchObject({ dtype: 'F16', config: { torch_dtype: 'float16' } });
    const back = join(root, 'tiny-f32');
    expect((await cli('convert', sharded, '--out', back, '--dtype', 'F32')).code).toBe(0);
    expect((await cli('inspect', back, '--json')).json()).toMatchObject({ dtype: 'F32', parameters: (await cli('inspect', hf, '--json')).json().parameters });
  });

  it('generate: greedy is deterministic, the same seed repeats, --top-k 1 equals greedy; --json holds ids and text only', async () => {
    const run = async (...flags: string[]) => (await cli('generate', hf, '--prompt-ids', '1,5', '--max-new-tokens', '6', '--json', ...flags)).json();
    const greedy = await run('--temperature', '0');
    expect(Object.keys(greedy)).toEqual(['ids', 'text']);
    expect(greedy.text).toBeNull();
    expect(greedy.ids.length).toBeGreaterThan(0);
    expect(greedy.ids.every((id: number) => Number.isInteger(id) && id >= 0 && id < 32)).toBe(true);
    expect(await run('--temperature', '0')).toEqual(greedy);
    expect(await run('--temperature', '1', '--top-k', '1', '--seed', '9')).toEqual(greedy);
    const sampled = await run('--temperature', '1.5', '--seed', '42', '--top-p', '0.95');
    expect(await run('--temperature', '1.5', '--seed', '42', '--top-p', '0.95')).toEqual(sampled);
    expect((await cli('generate', hf, '--prompt-ids', '1', '--max-new-tokens', '3', '--temperature', '0')).stdout).toMatch(/^\d+( \d+)*\n$/);
  });

  it('exits 2 with a reason on bad usage and bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['convert', hf, '--out', join(root, 'x'), '--dtype', 'f8'], /--dtype must be f32, f16 or bf16, got "f8"/],
      [['convert', hf, '--out', join(root, 'x'), '--dtype', 'f16', '--shard-size', 'lots'], /--shard-size: cannot read "lots" as a size/],
      [['convert', hf, '--out', join(root, 'x'), '--dtype', 'f16', '--shard-size', '0GB'], /--shard-size: size must be positive/],
      [['export-gguf', hf, '--out', join(root, 'x.gguf'), '--type', 'q4_k'], /--type must be f32, f16, q8_0, q4_0, got "q4_k"/],
      [['generate', hf, '--max-new-tokens', '2'], /give exactly one of --prompt TEXT or --prompt-ids IDS/],
      [['generate', hf, '--prompt', 'hi', '--prompt-ids', '1'], /give exactly one of --prompt TEXT or --prompt-ids IDS/],
      [['generate', hf, '--prompt-ids', '1,x'], /--prompt-ids must be comma-separated non-negative integers, got "x"/],
      [['generate', hf, '--prompt', 'hi'], /has no tokenizer, so --prompt cannot be encoded/],
      [['generate', hf, '--prompt-ids', '1,99', '--temperature', '0'], /prompt token id 99 is outside the vocabulary \[0, 32\)/],
      [['import-llama2c', bin], /missing required flag --out/],
      [['inspect', join(root, 'nothing-here')], /nothing-here: not found/],
      [['inspect', join(root, 'tiny', 'config.json')], /config\.json: unknown checkpoint type/],
      [['tokenize', 'hello'], /missing required flag --tokenizer/],
    ];
    for (const [argv, pattern] of cases) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(pattern);
      expect(result.stdout).toBe('');
    }
  });

  it.skipIf(skipUnlessPresent(models, 'tokenize with a SentencePiece model reads ../shared/models (check ../shared out beside the repo)'))('tokenize encodes with a SentencePiece model (../shared)', async () => {
    const tokenizer = join(models, 'llama2-tokenizer/tokenizer.model');
    expect((await cli('tokenize', '--tokenizer', tokenizer, 'Hello world', '--json')).json()).toEqual({ ids: [1, 15043, 3186], tokens: ['<s>', '▁Hello', '▁world'], count: 3 });
    expect((await cli('tokenize', '--tokenizer', tokenizer, 'Hello world', '--no-special', '--json')).json().ids).toEqual([15043, 3186]);
    expect((await cli('tokenize', '--tokenizer', tokenizer, 'Hello world')).stdout).toBe('3 tokens\nids     1 15043 3186\ntokens  "<s>" "▁Hello" "▁world"\n');
  });
});
