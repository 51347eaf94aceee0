/**
 * Writes one Parquet part of records (and one of quarantined input) for a dataset
 * being built. Rows go straight into in-memory DuckDB tables through the Appender,
 * typed by the kind's explicit columns (no type guessing), and are copied to Parquet
 * (zstd level 1) when the part is finished; DuckDB keeps insertion order on COPY.
 *
 * Design note (measured on the 200 MB benchmark corpus, CPU seconds): the JSONL buffer
 * this replaces cost 1.7 s in JSON.stringify plus 2.8 s in DuckDB's read_json + zstd
 * level 3; the appender costs ~0.5 s and the level-1 copy ~1.0 s, for files ~20 %
 * larger. A table larger than DuckDB's memory limit spills to a folder inside the
 * dataset's temp folder, removed when the part is finished.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, LIST, STRUCT, VARCHAR, structValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';

export const quarantineColumns: [string, string][] = [
  ['file', 'VARCHAR'],
  ['line', 'BIGINT'],
  ['reason', 'VARCHAR'],
  ['raw', 'VARCHAR'],
];

type AppendValue = (appender: DuckDBAppender, value: unknown) => void;

const varcharList = LIST(VARCHAR);
const messageList = LIST(STRUCT({ role: VARCHAR, content: VARCHAR, tool_calls: VARCHAR }));

/** How a JS value of each stored column type is appended (null → SQL NULL). */
function appendFor(type: string): AppendValue {
  const nullable = (append: AppendValue): AppendValue => (appender, value) => (value === null || value === undefined ? appender.appendNull() : append(appender, value));
  switch (type) {
    case 'VARCHAR':
      return nullable((appender, value) => appender.appendVarchar(typeof value === 'string' ? value : String(value)));
    case 'BIGINT':
    case 'INTEGER':
      return nullable((appender, value) => (Number.isSafeInteger(value) && Math.abs(value as number) < 2 ** 31 ? appender.appendInteger(value as number) : appender.appendBigInt(BigInt(value as number))));
    case 'VARCHAR[]':
      return nullable((appender, value) => appender.appendList(value as string[], varcharList));
    case 'STRUCT(role VARCHAR, content VARCHAR, tool_calls VARCHAR)[]':
      return nullable((appender, value) =>
        appender.appendList(
          (value as { role: string; content: string; tool_calls?: string | null }[]).map((message) =>
            structValue({ role: message.role, content: message.content, tool_calls: message.tool_calls ?? null }),
          ),
          messageList,
        ),
      );
    default:
      throw new Error(`part-writer: no appender for column type ${type}`);
  }
}

/** Rows of one table, appended column by column. */
export class TableSink {
  count = 0;
  /** UTF-16 code units of string values appended (a size estimate for rotation). */
  chars = 0;
  private readonly names: string[];
  private readonly appends: AppendValue[];

  constructor(
    private appender: DuckDBAppender,
    columns: [string, string][],
  ) {
    this.names = columns.map(([name]) => name);
    this.appends = columns.map(([, type]) => appendFor(type));
  }

  add(row: Record<string, unknown>): void {
    for (let index = 0; index < this.names.length; index++) {
      const value = row[this.names[index]];
      if (typeof value === 'string') this.chars += value.length;
      this.appends[index](this.appender, value);
    }
    this.appender.endRow();
    this.count++;
  }

  /** Continues into another table (after the current one was closed for copying). */
  switchTo(appender: DuckDBAppender): void {
    this.appender = appender;
    this.chars = 0;
  }

  close(): void {
    this.appender.closeSync();
  }
}

const copyOptions = '(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)';

/**
 * A records part plus its quarantine part, written side by side in `folder`. With
 * `rotate`, records are split into consecutive parts (part-00000, part-00001, …):
 * once a part holds `rotate` characters, its table is copied to Parquet on another
 * connection while rows go on into the next table, so compression overlaps with the
 * caller's work instead of all happening at finish() (and memory stays bounded).
 */
export class PartWriter {
  private table = 0;
  private readonly copies: Promise<void>[] = [];
  private copyError: unknown;
  private readonly recordFiles: string[] = [];

  private constructor(
    private readonly folder: string,
    readonly partName: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly columns: [string, string][],
    readonly records: TableSink,
    readonly quarantine: TableSink,
    private readonly spill: string,
    private readonly rotate: number,
  ) {}

  static async open(folder: string, partName: string, columns: [string, string][], options: { rotate?: number } = {}): Promise<PartWriter> {
    const spill = join(folder, `.spill-${partName}`);
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: spill });
    const connection = await instance.connect();
    await mkdir(join(folder, 'records'), { recursive: true });
    await mkdir(join(folder, 'quarantine'), { recursive: true });
    const records = new TableSink(await createTable(connection, 'records_0', columns), columns);
    const quarantine = new TableSink(await createTable(connection, 'quarantine', quarantineColumns), quarantineColumns);
    return new PartWriter(folder, partName, instance, connection, columns, records, quarantine, spill, options.rotate ?? Infinity);
  }

  addQuarantine(file: string, line: number, reason: string, raw: string): void {
    this.quarantine.add({ file, line, reason, raw });
  }

  /** Starts copying the current records table when it is over the rotation size. */
  async rotateIfFull(): Promise<void> {
    if (this.records.chars < this.rotate) return;
    this.records.close();
    this.startCopy();
    this.table++;
    this.records.switchTo(await createTable(this.connection, `records_${this.table}`, this.columns));
  }

  /** Returns the part files, relative to the dataset folder. */
  async finish(): Promise<{ records: string[]; quarantine: string }> {
    const quarantine = `quarantine/${this.partName}.parquet`;
    try {
      this.records.close();
      this.startCopy();
      this.quarantine.close();
      await this.connection.run(`COPY quarantine TO $output ${copyOptions}`, { output: join(this.folder, quarantine) });
      await Promise.all(this.copies);
      if (this.copyError) throw this.copyError;
    } finally {
      this.connection.closeSync();
      this.instance.closeSync();
      await rm(this.spill, { recursive: true, force: true });
    }
    return { records: this.recordFiles, quarantine };
  }

  /** After a failure: waits for background copies and releases DuckDB; writes nothing more. */
  async abort(): Promise<void> {
    await Promise.all(this.copies);
    this.connection.closeSync();
    this.instance.closeSync();
    await rm(this.spill, { recursive: true, force: true });
  }

  /** Copies table records_N to the next part file on its own connection, then drops it. */
  private startCopy(): void {
    const table = `records_${this.table}`;
    const file = `records/${this.table === 0 ? this.partName : nextPartName(this.partName, this.table)}.parquet`;
    this.recordFiles.push(file);
    const copy = async () => {
      const connection = await this.instance.connect();
      try {
        await connection.run(`COPY ${table} TO $output ${copyOptions}`, { output: join(this.folder, file) });
        await connection.run(`DROP TABLE ${table}`);
      } finally {
        connection.closeSync();
      }
    };
    // Settled here so a failed copy cannot go unhandled while the caller works; finish() rethrows.
    this.copies.push(copy().catch((error: unknown) => void (this.copyError ??= error)));
  }
}

async function createTable(connection: DuckDBConnection, table: string, columns: [string, string][]): Promise<DuckDBAppender> {
  await connection.run(`CREATE TABLE ${table} (${columns.map(([name, type]) => `"${name}" ${type}`).join(', ')})`);
  return connection.createAppender(table);
}

/** part-00000 + 2 → part-00002: rotated parts continue the part's number. */
function nextPartName(partName: string, offset: number): string {
  const match = /^(.*?)(\d+)$/.exec(partName)!;
  return `${match[1]}${String(Number(match[2]) + offset).padStart(match[2].length, '0')}`;
}
