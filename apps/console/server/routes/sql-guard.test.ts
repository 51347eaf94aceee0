import { describe, expect, it } from 'vitest';
import { assertReadOnlySql, wrapWithLimit } from './sql-guard.js';

describe('read-only SQL guard', () => {
  it('passes queries and strips a trailing semicolon', () => {
    expect(assertReadOnlySql('SELECT * FROM "my-data" LIMIT 3;')).toBe('SELECT * FROM "my-data" LIMIT 3');
    expect(assertReadOnlySql('with t as (select 1 as x) select x from t')).toContain('with t');
    expect(assertReadOnlySql("SELECT 'please delete me' AS note -- drop table x")).toContain('please delete me');
    expect(assertReadOnlySql('SELECT "update" FROM t')).toContain('"update"');
  });

  it.each([
    'DROP TABLE t',
    'DELETE FROM t',
    'SELECT 1; DROP TABLE t',
    "COPY (SELECT 1) TO '/tmp/x.csv'",
    "SELECT 1; ATTACH 'x.db'",
    'WITH t AS (SELECT 1) INSERT INTO u SELECT * FROM t',
    'PRAGMA database_list',
    'INSTALL httpfs',
  ])('refuses %s', (sql) => {
    expect(() => assertReadOnlySql(sql)).toThrow(/only one read-only SELECT/);
  });

  it('refuses an empty query with a hint', () => {
    expect(() => assertReadOnlySql('  -- nothing\n ;')).toThrow(/the query is empty/);
  });

  it('wraps the statement as a limited subquery', () => {
    expect(wrapWithLimit('SELECT 1', 11)).toBe('SELECT * FROM (\nSELECT 1\n) AS console_query LIMIT 11');
  });
});
