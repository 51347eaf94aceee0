/**
 * User SQL over DuckDB, confined. The console's SQL box, `chainlm-data sql --read-only`
 * and the agent's dataset_sql tool all run a stranger's statement through here.
 *
 * Design: the caller opens an in-memory DuckDB and creates its views first (with
 * full access); `lockDownDuckDB` then limits file access to the readable folders
 * (`allowed_directories` + `enable_external_access=false`, which also refuses
 * ATTACH, INSTALL and LOAD of files elsewhere), switches off spilling to a temp
 * folder, caps memory and threads, and locks the configuration so the statement
 * cannot undo any of it. `runReadOnlySelect` then asks DuckDB's own parser for the
 * statement count and type (exactly one SELECT: no COPY … TO, no CREATE, no SET),
 * reads at most maxRows + 1 rows and interrupts the query at the deadline. The
 * settings are the boundary; the statement check keeps writes out of the readable
 * folders, which DuckDB would otherwise allow (COPY … TO inside them works).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ChainlmError } from '../errors.js';

export interface ReadOnlySqlLimits {
  /** Rows returned at most; one more is read to tell `truncated`. */
  maxRows: number;
  /** The query is interrupted after this many milliseconds. */
  timeoutMs: number;
}

export interface ReadOnlySqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

export const defaultSqlLimits: Readonly<ReadOnlySqlLimits> = Object.freeze({ maxRows: 1000, timeoutMs: 10_000 });

export type SqlErrorCode = 'sql-read-only' | 'sql-access-denied' | 'sql-timeout' | 'sql-failed';

export class SqlError extends ChainlmError {
  declare readonly code: SqlErrorCode;

  constructor(code: SqlErrorCode, message: string, hint: string) {
    super(code, message, { hint, exitCode: 2 });
    this.name = 'SqlError';
  }
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

export interface LockDownOptions {
  /** Absolute folders the statement may read (each ends up with a trailing "/"). */
  readableDirectories: readonly string[];
  /** DuckDB memory limit, e.g. '1GB'. */
  memoryLimit?: string;
  /** DuckDB worker threads. */
  threads?: number;
}

export async function lockDownDuckDB(connection: DuckDBConnection, options: LockDownOptions): Promise<void> {
  const folders = options.readableDirectories.map((folder) => literal(folder.endsWith('/') ? folder : `${folder}/`));
  await connection.run(`SET allowed_directories=[${folders.join(', ')}]`);
  await connection.run("SET temp_directory=''");
  await connection.run(`SET memory_limit=${literal(options.memoryLimit ?? '1GB')}`);
  await connection.run(`SET threads=${Math.max(1, Math.floor(options.threads ?? 2))}`);
  await connection.run('SET enable_external_access=false');
  await connection.run('SET lock_configuration=true');
}

function classify(message: string): SqlError {
  const first = message.split('\n')[0]!;
  if (/Permission Error|disabled by configuration|has been locked/.test(first)) {
    return new SqlError('sql-access-denied', `SQL refused: ${first}`, 'only the datasets are readable: query their views (SELECT table_name FROM information_schema.tables lists them)');
  }
  if (/INTERRUPT|interrupted/i.test(first)) return new SqlError('sql-timeout', 'SQL ran past its time limit and was stopped', 'add a LIMIT or a WHERE, or aggregate less data');
  return new SqlError('sql-failed', `SQL failed: ${first}`, 'check the statement; DuckDB dialect');
}

const notOneSelect = (what: string) => new SqlError('sql-read-only', `only one read-only SELECT statement is allowed, got ${what}`, 'datasets are read-only here: write one SELECT (use chainlm-data to change them)');

/**
 * Exactly one SELECT, judged by DuckDB itself: first its parser alone
 * (json_serialize_sql serialises SELECTs only, before any name is bound, so a DELETE
 * on a view is named as a write rather than as a binding error), then the prepared
 * statement's type. Throws SqlError otherwise.
 */
export async function assertSingleSelect(connection: DuckDBConnection, sql: string): Promise<void> {
  const { StatementType } = await import('@duckdb/node-api');
  const probe = await connection.prepare('SELECT json_serialize_sql($1::VARCHAR) AS parsed');
  probe.bindVarchar(1, sql);
  const parsed = JSON.parse(String((await probe.runAndReadAll()).getRowObjectsJson()[0]?.parsed)) as { error?: boolean; error_message?: string; statements?: unknown[] };
  if (parsed.error) {
    if (/Only SELECT/i.test(parsed.error_message ?? '')) throw notOneSelect('a statement that is not a SELECT');
    throw new SqlError('sql-failed', `SQL failed: ${parsed.error_message ?? 'cannot parse'}`, 'check the statement; DuckDB dialect');
  }
  if (parsed.statements?.length !== 1) throw notOneSelect(`${parsed.statements?.length ?? 0} statements`);
  let statementType: number;
  try {
    statementType = (await connection.prepare(sql)).statementType;
  } catch (error) {
    throw classify((error as Error).message);
  }
  if (statementType !== StatementType.SELECT) throw notOneSelect(StatementType[statementType] ?? String(statementType));
}

/** Runs one SELECT on a locked-down connection within the limits. */
export async function runReadOnlySelect(connection: DuckDBConnection, sql: string, limits: Partial<ReadOnlySqlLimits> = {}): Promise<ReadOnlySqlResult> {
  const { maxRows, timeoutMs } = { ...defaultSqlLimits, ...limits };
  await assertSingleSelect(connection, sql);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, timeoutMs);
  try {
    const reader = await connection.runAndReadUntil(sql, maxRows + 1);
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    return { columns: reader.columnNames(), rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
  } catch (error) {
    if (timedOut) throw new SqlError('sql-timeout', `SQL ran past its ${timeoutMs} ms limit and was stopped`, 'add a LIMIT or a WHERE, or aggregate less data');
    throw error instanceof SqlError ? error : classify((error as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
