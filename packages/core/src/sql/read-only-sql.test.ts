import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDownDuckDB, runReadOnlySelect, SqlError } from './read-only-sql.js';

/** A datasets folder with one Parquet part, a secret beside it, and a locked-down connection with a view. */
async function setup() {
  const outer = mkdtempSync(join(tmpdir(), 'chainlm-sql-'));
  const datasets = join(outer, 'datasets');
  mkdirSync(join(datasets, 'd'), { recursive: true });
  writeFileSync(join(outer, 'secret.txt'), 'the-secret');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const part = join(datasets, 'd', 'part-0.parquet');
  await connection.run(`COPY (SELECT range AS n FROM range(50)) TO '${part}' (FORMAT parquet)`);
  await connection.run(`CREATE VIEW d AS SELECT * FROM read_parquet('${part}')`);
  await lockDownDuckDB(connection, { readableDirectories: [datasets] });
  opened.push(() => {
    connection.closeSync();
    instance.closeSync();
  });
  return { outer, datasets, connection };
}
const opened: (() => void)[] = [];
afterEach(() => opened.splice(0).forEach((close) => close()));

async function refusal(connection: DuckDBConnection, sql: string): Promise<SqlError> {
  const error = await runReadOnlySelect(connection, sql).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, sql).toBeInstanceOf(SqlError);
  return error as SqlError;
}

describe('runReadOnlySelect on a locked-down DuckDB', () => {
  it('reads the dataset views, with a row limit', async () => {
    const { connection } = await setup();
    const result = await runReadOnlySelect(connection, 'SELECT n FROM d ORDER BY n', { maxRows: 10 });
    expect(result.rows.map((row) => Number(row.n))).toEqual([...Array(10).keys()]);
    expect(result.truncated).toBe(true);
    expect((await runReadOnlySelect(connection, 'SELECT count(*) AS c FROM d')).rows).toEqual([{ c: '50' }]);
  });

  it.each([
    ["SELECT * FROM read_text('/etc/hostname')"],
    ["SELECT * FROM read_csv('/etc/passwd')"],
    ["SELECT * FROM read_json('/etc/os-release')"],
    ["SELECT * FROM glob('/etc/*')"],
    ["SELECT * FROM read_text('/proc/self/environ')"],
  ])('refuses host files: %s', async (sql) => {
    const { connection } = await setup();
    expect((await refusal(connection, sql)).code).toBe('sql-access-denied');
  });

  it('refuses a path that climbs out of the datasets folder', async () => {
    const { connection, datasets } = await setup();
    const error = await refusal(connection, `SELECT * FROM read_text('${datasets}/d/../../secret.txt')`);
    expect(error.code).toBe('sql-access-denied');
    expect(error.message).not.toContain('the-secret');
  });

  it('refuses every statement that is not one SELECT, and writes nothing', async () => {
    const { connection, outer, datasets } = await setup();
    const refused = [
      `COPY (SELECT 1) TO '${datasets}/d/written.csv'`,
      `COPY (SELECT 1) TO '${outer}/written.csv'`,
      `ATTACH '${outer}/new.duckdb' AS x`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access=true',
      'CREATE TABLE t AS SELECT 1',
      'SELECT 1; SELECT 2',
      "PRAGMA enable_external_access",
    ];
    for (const sql of refused) expect(['sql-read-only', 'sql-access-denied', 'sql-failed']).toContain((await refusal(connection, sql)).code);
    expect(existsSync(join(datasets, 'd', 'written.csv'))).toBe(false);
    expect(existsSync(join(outer, 'written.csv'))).toBe(false);
    expect(existsSync(join(outer, 'new.duckdb'))).toBe(false);
    // The settings stayed locked: a host file is still refused after the attempts.
    expect((await refusal(connection, "SELECT * FROM read_text('/etc/hostname')")).code).toBe('sql-access-denied');
  });

  it('stops a query at its deadline', async () => {
    const { connection } = await setup();
    const started = Date.now();
    const error = await runReadOnlySelect(connection, 'SELECT count(*) FROM range(100000000000) a', { timeoutMs: 200 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).code).toBe('sql-timeout');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
