/** Guards of the dataset store and shard readers: each test trips one. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableToIPC, tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveHome } from '@chainlm/core';
import { openShards } from '../tokenize/open-shards.js';
import { readShard } from '../tokenize/shard-io.js';
import { shardManifestFile } from '../tokenize/shard-manifest.js';
import { cleanStaleTemp, datasetsFolder, readDataset, writeDataset } from './dataset-store.js';
import { exportDataset } from './export-dataset.js';
import { manifestFile, type DatasetManifest } from './manifest.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-data-guards-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function manifest(name: string, kind: DatasetManifest['kind']): DatasetManifest {
  const now = new Date().toISOString();
  return { formatVersion: 1, name, kind, createdAt: now, updatedAt: now, columns: [], counts: { read: 0, records: 0, quarantined: 0 }, sources: [], parts: [], quarantineParts: [], derivedFrom: [] };
}

describe('dataset store guards', () => {
  it('rejects a manifest that is not JSON or breaks the schema, naming the file and key', async () => {
    await writeDataset(home, 'broken', async () => manifest('broken', 'text'));
    const file = join(home.path('datasets', 'broken'), manifestFile);
    writeFileSync(file, '{"formatVersion": 1,');
    await expect(readDataset(home, 'broken')).rejects.toThrow(`dataset manifest ${file} is invalid`);
    writeFileSync(file, JSON.stringify({ ...manifest('broken', 'text'), kind: 'poems' }));
    await expect(readDataset(home, 'broken')).rejects.toThrow(/manifest\.json is invalid: kind: /);
    writeFileSync(file, JSON.stringify({ ...manifest('broken', 'text'), extra: 1 }));
    await expect(readDataset(home, 'broken')).rejects.toThrow(/is invalid: \(root\): .*extra/);
  });

  it('refuses to export a tokenized dataset', async () => {
    await writeDataset(home, 'tokens', async () => manifest('tokens', 'tokenized'));
    const out = join(root, 'tokens.jsonl');
    await expect(exportDataset(home, 'tokens', 'jsonl', out)).rejects.toMatchObject({ code: 'data-kind-unsupported', message: 'export does not support tokenized datasets' });
    expect(existsSync(out)).toBe(false);
  });

  it('cleanStaleTemp removes temp folders of dead writers only', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const folders = {
      dead: `.raw.${deadPid}.a1b2c3.tmp`,
      deadOld: `.raw.${deadPid}.d4e5f6.tmp.old`,
      live: `.raw.${process.pid}.a1b2c3.tmp`,
      unrelated: '.notes',
    };
    for (const folder of Object.values(folders)) mkdirSync(join(datasetsFolder(home), folder), { recursive: true });
    expect(await cleanStaleTemp(home)).toBe(2);
    const left = Object.entries(folders).filter(([, folder]) => existsSync(join(datasetsFolder(home), folder)));
    expect(left.map(([key]) => key)).toEqual(['live', 'unrelated']);
    expect(await cleanStaleTemp(resolveHome({ CHAINLM_HOME: join(root, 'empty-home') }))).toBe(0);
  });
});

describe('shard reader guards', () => {
  it('needs a shards.json, and a valid one', async () => {
    const folder = join(root, 'not-shards');
    mkdirSync(folder, { recursive: true });
    await expect(openShards(folder)).rejects.toMatchObject({ code: 'data-shards-missing', message: `no shard manifest in ${folder}` });
    writeFileSync(join(folder, shardManifestFile), '{"seqLen": ');
    await expect(openShards(folder)).rejects.toMatchObject({ code: 'data-manifest-invalid' });
    writeFileSync(join(folder, shardManifestFile), JSON.stringify({ formatVersion: 1, seqLen: -4 }));
    await expect(openShards(folder)).rejects.toThrow(/shards\.json is invalid: /);
  });

  it('names the column a shard file lacks', async () => {
    const file = join(root, 'partial.arrow');
    // A flat int32 column is not a shard column: rows must be FixedSizeList[seq_len].
    writeFileSync(file, tableToIPC(tableFromArrays({ token_ids: new Int32Array([1, 2, 3]) }), 'file'));
    await expect(readShard(file)).rejects.toThrow(`${file}: missing column token_ids (fixed_size_list<int32>[seq_len])`);
  });
});
