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
const messageList = LIST(STRUCT({ role: VARCHAR, content: VARCHAR }));

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
    case 'STRUCT(role VARCHAR, content VARCHAR)[]':
      return nullable((appender, value) =>
        appender.appendList(
          (value as { role: string; content: string }[]).map((message) => structValue({ role: message.role, content: message.content })),
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
  private readonly names: string[];
  private readonly appends: AppendValue[];

  constructor(
    private readonly appender: DuckDBAppender,
    columns: [string, string][],
  ) {
    this.names = columns.map(([name]) => name);
    this.appends = columns.map(([, type]) => appendFor(type));
  }

  add(row: Record<string, unknown>): void {
    for (let index = 0; index < this.names.length; index++) this.appends[index](this.appender, row[this.names[index]]);
    this.appender.endRow();
    this.count++;
  }

  close(): void {
    this.appender.closeSync();
  }
}

/** A records part plus its quarantine part, written side by side in `folder`. */
export class PartWriter {
  private constructor(
    private readonly folder: string,
    readonly partName: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly records: TableSink,
    readonly quarantine: TableSink,
    private readonly spill: string,
  ) {}

  static async open(folder: string, partName: string, columns: [string, string][]): Promise<PartWriter> {
    const spill = join(folder, `.spill-${partName}`);
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: spill });
    const connection = await instance.connect();
    const sinks: TableSink[] = [];
    for (const [table, tableColumns] of [['records', columns], ['quarantine', quarantineColumns]] as const) {
      await connection.run(`CREATE TABLE ${table} (${tableColumns.map(([name, type]) => `"${name}" ${type}`).join(', ')})`);
      sinks.push(new TableSink(await connection.createAppender(table), tableColumns));
    }
    return new PartWriter(folder, partName, instance, connection, sinks[0], sinks[1], spill);
  }

  addQuarantine(file: string, line: number, reason: string, raw: string): void {
    this.quarantine.add({ file, line, reason, raw });
  }

  /** Returns the part files, relative to the dataset folder. */
  async finish(): Promise<{ records: string; quarantine: string }> {
    const files = { records: `records/${this.partName}.parquet`, quarantine: `quarantine/${this.partName}.parquet` };
    try {
      for (const table of ['records', 'quarantine'] as const) {
        this[table].close();
        await mkdir(join(this.folder, table), { recursive: true });
        await this.connection.run(`COPY ${table} TO $output (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`, { output: join(this.folder, files[table]) });
      }
    } finally {
      this.connection.closeSync();
      this.instance.closeSync();
      await rm(this.spill, { recursive: true, force: true });
    }
    return files;
  }
}
