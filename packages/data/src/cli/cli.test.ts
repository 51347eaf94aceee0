import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../dist/bin/chainlm-data.js');
if (!existsSync(bin)) console.warn(`skipping CLI tests: ${bin} is not built (run npm test, which builds first)`);

describe.skipIf(!existsSync(bin))('chainlm-data CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-data-cli-'));
  const env = { ...process.env, CHAINLM_HOME: join(root, 'home') };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, cwd: root });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('ingest --json, stats --json, head, sql, export, ls, rm', async () => {
    const file = join(root, 'qa.jsonl');
    writeFileSync(file, ['{"question":"one plus one?","answer":"two"}', '{"question":"大海?","answer":"蓝"}', '{"question":3}', '{"question":"one plus one?","answer":"two"}'].join('\n'));
    const ingested = await cli('ingest', file, '--dataset', 'qa', '--json', '--quiet');
    expect(ingested.code).toBe(0);
    expect(JSON.parse(ingested.stdout)).toMatchObject({ dataset: 'qa', kind: 'qa', read: 4, ok: 3, quarantined: 1 });

    const stats = JSON.parse((await cli('stats', 'qa', '--json')).stdout);
    expect(stats).toMatchObject({ records: 3, quarantined: 1, duplicates: 1, scriptMix: { cjk: 1, latin: 2, none: 0 } });
    expect(stats.dedupRate).toBeCloseTo(1 / 3);

    const head = JSON.parse((await cli('head', 'qa', '-n', '1', '--json')).stdout);
    expect(head.records).toEqual([expect.objectContaining({ question: 'one plus one?', answer: 'two', line: 1, source: file })]);

    const sql = JSON.parse((await cli('sql', 'SELECT count(*) AS n FROM qa__quarantine', '--json')).stdout);
    expect(sql.rows).toEqual([{ n: '1' }]);
    const badSql = await cli('sql', 'SELECT * FROM nope');
    expect(badSql.code).toBe(2);
    expect(badSql.stderr).toMatch(/SQL failed/);

    const out = join(root, 'out.jsonl');
    expect((await cli('export', 'qa', '--to', 'jsonl', '--out', out)).code).toBe(0);
    expect(existsSync(out)).toBe(true);

    expect(JSON.parse((await cli('ls', '--json')).stdout).datasets.map((entry: { name: string }) => entry.name)).toEqual(['qa']);
    expect((await cli('rm', 'qa')).code).toBe(0);
    expect((await cli('stats', 'qa')).code).toBe(2);
  });

  it('reports usage errors with exit code 2', async () => {
    expect((await cli('ingest', 'x.jsonl')).code).toBe(2);
    const badKind = await cli('ingest', 'x.jsonl', '--dataset', 'd', '--kind', 'poem');
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toMatch(/--kind must be one of/);
    expect((await cli('export', 'd', '--to', 'csv', '--out', 'x')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });
});
