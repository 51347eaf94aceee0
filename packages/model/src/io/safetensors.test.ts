import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, readSafetensorsHeader } from './safetensors-read.js';
import { writeSafetensors } from './safetensors-write.js';
import { loadSafetensorsFolder, saveSafetensorsFolder, indexFileName } from './safetensors-sharded.js';
import type { NamedTensor, WeightMap } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-safetensors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Deterministic values exactly representable in `dtype` (so save → load must be bit-exact). */
function tensor(shape: number[], dtype: NamedTensor['dtype'], seed: number): NamedTensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let state = seed;
  for (let index = 0; index < data.length; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const value = ((state >>> 8) / 2 ** 24 - 0.5) * 8;
    // Quantize to a value every dtype can hold when F16/BF16 is asked.
    data[index] = dtype === 'F32' ? value : Math.round(value * 64) / 64;
  }
  return { shape, dtype, data };
}

function rawHeaderFile(name: string, header: string, dataBytes = 0): string {
  const file = join(root, name);
  const text = Buffer.from(header);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(file, Buffer.concat([prefix, text, Buffer.alloc(dataBytes)]));
  return file;
}

describe('safetensors', () => {
  it('round-trips F32, F16 and BF16 tensors bit-exactly, header 8-aligned', async () => {
    const weights: WeightMap = new Map([
      ['a.weight', tensor([3, 5], 'F32', 1)],
      ['b.weight', tensor([7], 'F16', 2)],
      ['c.weight', tensor([2, 2, 3], 'BF16', 3)],
      ['scalar', tensor([], 'F32', 4)],
    ]);
    const file = join(root, 'mixed.safetensors');
    await writeSafetensors(file, weights, { metadata: { format: 'pt' } });
    const header = await readSafetensorsHeader(file);
    expect(header.dataStart % 8).toBe(0);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.entries.map((entry) => [entry.name, entry.dtype])).toEqual([['a.weight', 'F32'], ['b.weight', 'F16'], ['c.weight', 'BF16'], ['scalar', 'F32']]);
    const loaded = await readSafetensors(file);
    expect([...loaded.keys()]).toEqual([...weights.keys()]);
    for (const [name, original] of weights) expect(loaded.get(name)).toEqual(original);
    expect(readdirSync(root).filter((entry) => entry.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a tensor whose data does not fill its shape, leaving no file behind', async () => {
    const file = join(root, 'bad-shape.safetensors');
    const weights: WeightMap = new Map([['w', { shape: [3], dtype: 'F32', data: new Float32Array(2) }]]);
    await expect(writeSafetensors(file, weights)).rejects.toThrow(/bad-shape\.safetensors: tensor "w": shape \[3\] holds 3 values but data has 2/);
    expect(readdirSync(root).filter((entry) => entry.includes('bad-shape'))).toEqual([]);
  });

  it('converts dtype on write (F32 → F16 rounds to nearest even)', async () => {
    const file = join(root, 'as-f16.safetensors');
    await writeSafetensors(file, new Map([['x', { shape: [2], dtype: 'F32', data: new Float32Array([1 + 2 ** -11, 0.1]) }]]), { dtype: 'F16' });
    expect(statSync(file).size - (await readSafetensorsHeader(file)).dataStart).toBe(4);
    const x = (await readSafetensors(file)).get('x')!;
    expect(x.dtype).toBe('F16');
    expect([...x.data]).toEqual([1, Math.fround(0.0999755859375)]);
  });

  it('shards by size with an index, and loads shards back bit-exactly', async () => {
    const weights: WeightMap = new Map([
      ['w0', tensor([64], 'F32', 5)], // 256 bytes
      ['w1', tensor([64], 'F32', 6)],
      ['w2', tensor([200], 'F32', 7)], // bigger than a shard: alone
      ['w3', tensor([8], 'F32', 8)],
    ]);
    const dir = join(root, 'sharded');
    const files = await saveSafetensorsFolder(dir, weights, { maxShardBytes: 600 });
    // Greedy in order: [w0 w1] = 512 B; w2 = 800 B alone (over the limit by itself); then w3.
    expect(files).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors', indexFileName]);
    const index = JSON.parse(readFileSync(join(dir, indexFileName), 'utf8'));
    expect(index.metadata.total_size).toBe((64 + 64 + 200 + 8) * 4);
    expect(index.weight_map).toEqual({ w0: files[0], w1: files[0], w2: files[1], w3: files[2] });
    const loaded = await loadSafetensorsFolder(dir);
    for (const [name, original] of weights) expect(loaded.get(name)).toEqual(original);
    const single = join(root, 'single');
    expect(await saveSafetensorsFolder(single, weights, { maxShardBytes: 1e9 })).toEqual(['model.safetensors']);
  });

  it('rejects a broken index: missing shard, bad weight_map, tensor not in shard', async () => {
    const dir = join(root, 'broken-index');
    await saveSafetensorsFolder(dir, new Map([['w', tensor([4], 'F32', 9)]]), {});
    writeFileSync(join(dir, indexFileName), JSON.stringify({ weight_map: { w: 'missing.safetensors' } }));
    await expect(loadSafetensorsFolder(dir)).rejects.toThrow(/missing\.safetensors: shard listed in model\.safetensors\.index\.json not found/);
    writeFileSync(join(dir, indexFileName), JSON.stringify({ weight_map: { w: '../x.safetensors' } }));
    await expect(loadSafetensorsFolder(dir)).rejects.toThrow(/tensor "w": weight_map value must be a shard file name/);
    writeFileSync(join(dir, indexFileName), '{"metadata":{}}');
    await expect(loadSafetensorsFolder(dir)).rejects.toThrow(/missing "weight_map"/);
    writeFileSync(join(dir, indexFileName), JSON.stringify({ weight_map: { nope: 'model.safetensors' } }));
    await expect(loadSafetensorsFolder(dir)).rejects.toThrow(/tensor "nope": not in this file/);
    await expect(loadSafetensorsFolder(join(root, 'no-such-dir'))).rejects.toThrow(/model\.safetensors or model\.safetensors\.index\.json not found/);
  });

  it('validates the header with errors naming the file and tensor', async () => {
    const cases: [string, string, number, RegExp][] = [
      ['bad-json', '{"a": ', 0, /bad-json: header is not valid JSON/],
      ['not-object', '[1,2]', 0, /header must be a JSON object/],
      ['unknown-dtype', '{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}', 4, /tensor "w": unknown dtype "Q4" \(supported: F32, F16, BF16\)/],
      ['int-dtype', '{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', 8, /tensor "w": dtype I64 is not supported/],
      ['out-of-range', '{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8, /tensor "w": data_offsets end 16 is past the end of the data \(8 bytes\)/],
      ['wrong-span', '{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8, /tensor "w": data_offsets span 8 bytes but F32\[3\] needs 12/],
      ['bad-offsets', '{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}', 8, /tensor "w": data_offsets must be \[begin, end\]/],
      ['bad-shape', '{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 8, /tensor "w": shape must be an array of non-negative integers/],
      ['overlap', '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8, /tensor "b": byte range overlaps tensor "a"/],
      ['bad-meta', '{"__metadata__":{"n":1}}', 0, /__metadata__\.n must be a string/],
    ];
    for (const [name, header, dataBytes, pattern] of cases) {
      await expect(readSafetensors(rawHeaderFile(name, header, dataBytes)), name).rejects.toThrow(pattern);
    }
    const tooLong = join(root, 'too-long');
    const prefix = Buffer.alloc(16);
    prefix.writeBigUInt64LE(1000n);
    writeFileSync(tooLong, prefix);
    await expect(readSafetensors(tooLong)).rejects.toThrow(/too-long: header length 1000 exceeds the file \(16 bytes\)/);
    writeFileSync(join(root, 'tiny'), Buffer.alloc(3));
    await expect(readSafetensors(join(root, 'tiny'))).rejects.toThrow(/too short for a safetensors file \(3 bytes\)/);
    await expect(readSafetensors(join(root, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors: safetensors file not found/);
  });

  it('reads a tensor stored past 2 GiB in a sparse 2.1 GiB file, without loading the file', async () => {
    // [big: F32 × (2^29 + 16) = 2 GiB + 64 B, never read][tail: F32 × 4]. The file is sparse
    // (ftruncate + one positional write), so it costs no disk and is made in milliseconds.
    const bigElements = 2 ** 29 + 16;
    const bigBytes = bigElements * 4;
    const header = JSON.stringify({
      big: { dtype: 'F32', shape: [bigElements], data_offsets: [0, bigBytes] },
      tail: { dtype: 'F16', shape: [4], data_offsets: [bigBytes, bigBytes + 8] },
    });
    const file = join(root, 'huge.safetensors');
    const handle = await open(file, 'w');
    try {
      const prefix = Buffer.alloc(8);
      prefix.writeBigUInt64LE(BigInt(header.length));
      await handle.write(Buffer.concat([prefix, Buffer.from(header)]), 0, 8 + header.length, 0);
      const tailStart = 8 + header.length + bigBytes;
      await handle.truncate(tailStart + 8);
      const tail = Buffer.from(new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7c00]).buffer); // 1, -2, 0.5, Inf
      await handle.write(tail, 0, 8, tailStart);
    } finally {
      await handle.close();
    }
    expect(statSync(file).size).toBeGreaterThan(2 ** 31);
    const entries = (await readSafetensorsHeader(file)).entries;
    expect(entries[1].begin).toBeGreaterThan(2 ** 31);
    const loaded = await readSafetensors(file, { names: ['tail'] });
    expect([...loaded.get('tail')!.data]).toEqual([1, -2, 0.5, Infinity]);
    rmSync(file);
    expect(existsSync(file)).toBe(false);
  });
});
