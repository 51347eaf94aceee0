import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from './registry.js';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

describe('Registry', () => {
  it('records artifacts, updates them and walks lineage up and down', async () => {
    const registry = new Registry({ file: join(mkdtempSync(join(tmpdir(), 'chainlm-reg-')), 'r.duckdb') });
    await registry.record({ kind: 'dataset', name: 'stories', path: '/d/stories', metadata: { records: 10 } });
    await registry.record({ kind: 'tokenizer', name: 'bpe', inputs: [{ id: 'dataset:stories', relation: 'trained-on' }] });
    await registry.record({
      kind: 'checkpoint',
      name: 'run1/step-100',
      inputs: [{ id: 'dataset:stories', relation: 'trained-on' }, { id: 'tokenizer:bpe' }],
    });
    await registry.record({ kind: 'eval', name: 'e1', inputs: [{ id: 'checkpoint:run1/step-100', relation: 'scored' }] });
    await registry.record({ kind: 'dataset', name: 'stories', path: '/d/stories', metadata: { records: 12 } });

    expect((await registry.get('dataset:stories'))?.metadata).toEqual({ records: 12 });
    expect((await registry.list({ kind: 'dataset' })).map((artifact) => artifact.id)).toEqual(['dataset:stories']);

    const lineage = (await registry.lineage('checkpoint:run1/step-100'))!;
    expect(lineage.up.map((entry) => [entry.artifact.id, entry.depth])).toEqual([
      ['dataset:stories', 1],
      ['tokenizer:bpe', 1],
    ]);
    expect(lineage.down.map((entry) => entry.artifact.id)).toEqual(['eval:e1']);
    expect(lineage.edges).toContainEqual({ from: 'checkpoint:run1/step-100', to: 'eval:e1', relation: 'scored' });

    const fromData = (await registry.lineage('dataset:stories'))!;
    expect(fromData.down.map((entry) => [entry.artifact.id, entry.depth])).toEqual([
      ['checkpoint:run1/step-100', 1],
      ['tokenizer:bpe', 1],
      ['eval:e1', 2],
    ]);
    expect(await registry.remove('eval:e1')).toBe(true);
    expect(await registry.get('eval:e1')).toBeUndefined();
    expect(await registry.lineage('nope')).toBeUndefined();
  });

  it('rejects an unknown kind with a hint', async () => {
    const registry = new Registry({ file: join(mkdtempSync(join(tmpdir(), 'chainlm-reg-')), 'r.duckdb') });
    await expect(registry.record({ kind: 'banana' as never, name: 'x' })).rejects.toThrow(/unknown artifact kind "banana"/);
  });

  describe('several processes at once', () => {
    beforeAll(() => {
      execFileSync(process.execPath, [resolve(packageRoot, '../../node_modules/typescript/bin/tsc'), '-b', packageRoot]);
    });

    it('keeps every row when 4 processes record concurrently', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'chainlm-reg-mp-'));
      const file = join(dir, 'registry.duckdb');
      const script = join(dir, 'writer.mjs');
      writeFileSync(
        script,
        `import { Registry } from ${JSON.stringify(join(packageRoot, 'dist/index.js'))};
const [file, worker, count] = process.argv.slice(2);
const registry = new Registry({ file });
for (let index = 0; index < Number(count); index++) {
  await registry.record({ kind: 'run', name: worker + '-' + index, metadata: { worker, index }, inputs: index > 0 ? [{ id: 'run:' + worker + '-' + (index - 1) }] : [] });
  if (index % 5 === 0) await registry.list({ kind: 'run' });
}
`,
      );
      const perWorker = 25;
      const exits = await Promise.all(
        [0, 1, 2, 3].map(
          (worker) =>
            new Promise<{ code: number | null; stderr: string }>((done) => {
              const child = spawn(process.execPath, [script, file, `w${worker}`, String(perWorker)]);
              let stderr = '';
              child.stderr.on('data', (chunk) => (stderr += String(chunk)));
              child.on('close', (code) => done({ code, stderr }));
            }),
        ),
      );
      expect(exits).toEqual(Array.from({ length: 4 }, () => ({ code: 0, stderr: '' })));
      const registry = new Registry({ file });
      const runs = await registry.list({ kind: 'run' });
      expect(runs).toHaveLength(4 * perWorker);
      for (const worker of [0, 1, 2, 3]) {
        const names = runs.filter((run) => run.metadata.worker === `w${worker}`).map((run) => run.metadata.index);
        expect(names.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: perWorker }, (_, index) => index));
      }
      const lineage = await registry.lineage(`run:w2-${perWorker - 1}`);
      expect(lineage!.up).toHaveLength(perWorker - 1);
    }, 120_000);
  });
});
