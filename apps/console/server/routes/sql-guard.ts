/**
 * The SQL box is read-only. A statement passes when, with string literals and
 * comments removed, it is one statement starting with SELECT, WITH, FROM, VALUES,
 * SHOW, DESCRIBE, SUMMARIZE or EXPLAIN and names no write or side-effect keyword.
 * It is then run wrapped as a subquery (`SELECT * FROM (…) LIMIT n`), which
 * DuckDB only parses for a query — a second, structural guard.
 */
import { consoleErrors } from '../app/errors.js';

const writeKeywords = /\b(insert|update|delete|merge|create|drop|alter|copy|attach|detach|pragma|install|load|export|import|call|set|reset|vacuum|checkpoint|truncate|grant|revoke|begin|commit|rollback|use)\b/i;

function stripLiteralsAndComments(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** Returns the statement without trailing semicolons, or throws console-sql-read-only. */
export function assertReadOnlySql(sql: string): string {
  const trimmed = sql.trim().replace(/;\s*$/, '').trim();
  const bare = stripLiteralsAndComments(trimmed).trim();
  if (bare.length === 0) throw consoleErrors.badRequest('sql', 'the query is empty', 'write a SELECT over a dataset view, e.g. SELECT * FROM "my-data" LIMIT 10');
  if (!/^(select|with|from|values|\(\s*select)\b/i.test(bare) || bare.includes(';') || writeKeywords.test(bare)) throw consoleErrors.sqlNotReadOnly(trimmed);
  return trimmed;
}

export function wrapWithLimit(sql: string, limit: number): string {
  return `SELECT * FROM (\n${sql}\n) AS console_query LIMIT ${limit}`;
}
