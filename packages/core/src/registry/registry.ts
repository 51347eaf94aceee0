/**
 * The artifact registry: every dataset, tokenizer, model, checkpoint, adapter, eval
 * result and deployment, with the lineage edges between them, in one DuckDB file in
 * CHAINLM_HOME.
 *
 * Design note — several processes at once. DuckDB lets one process hold a database
 * file read-write, and a reader cannot open it while a writer holds it. A training
 * run, an eval and the console all record artifacts, so no process keeps the file
 * open: each operation opens it, runs one transaction and closes it (~10 ms). When
 * another process holds the file, DuckDB refuses with "Could not set lock"; we retry
 * with jittered exponential backoff. The lock is DuckDB's own OS file lock, so a
 * process killed mid-write releases it with no stale lock file to clean up, and the
 * WAL makes a half-written transaction invisible. Inside one process, operations are
 * queued so the file is opened once at a time.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ChainlmError } from '../errors.js';
import { resolveHome } from '../home/home.js';

export const artifactKinds = [
  'dataset',
  'tokenizer',
  'model',
  'checkpoint',
  'adapter',
  'run',
  'eval',
  'deployment',
  'pipeline',
  'job',
] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

export interface Artifact {
  id: string;
  kind: ArtifactKind;
  name: string;
  /** Where the artifact lives on disk, if anywhere. */
  path: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface RecordArtifactInput {
  kind: ArtifactKind;
  name: string;
  /** Defaults to `${kind}:${name}`; recording an existing id updates it. */
  id?: string;
  path?: string | null;
  metadata?: Record<string, unknown>;
  /** Lineage: ids this artifact was made from, e.g. the dataset a checkpoint trained on. */
  inputs?: { id: string; relation?: string }[];
}

export interface LineageEdge {
  from: string;
  to: string;
  relation: string;
}

export interface Lineage {
  artifact: Artifact;
  /** Ancestors: what it was made from, transitively. */
  up: { artifact: Artifact; depth: number }[];
  /** Descendants: what was made from it, transitively. */
  down: { artifact: Artifact; depth: number }[];
  edges: LineageEdge[];
}

const schemaSql = `
CREATE TABLE IF NOT EXISTS artifacts (
  id VARCHAR PRIMARY KEY,
  kind VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  path VARCHAR,
  metadata VARCHAR NOT NULL,
  created_at VARCHAR NOT NULL,
  updated_at VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS edges (
  from_id VARCHAR NOT NULL,
  to_id VARCHAR NOT NULL,
  relation VARCHAR NOT NULL,
  created_at VARCHAR NOT NULL,
  PRIMARY KEY (from_id, to_id, relation)
);`;

export interface RegistryOptions {
  /** Path of the DuckDB file; default `<CHAINLM_HOME>/registry/registry.duckdb`. */
  file?: string;
  /** How long to keep retrying while another process holds the file (ms). */
  lockTimeoutMs?: number;
}

export class Registry {
  readonly file: string;
  private readonly lockTimeoutMs: number;
  private queue: Promise<unknown> = Promise.resolve();
  private initialised = false;

  constructor(options: RegistryOptions = {}) {
    this.file = options.file ?? resolveHome().registryFile;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  }

  async record(input: RecordArtifactInput): Promise<Artifact> {
    if (!artifactKinds.includes(input.kind)) {
      throw new ChainlmError('registry-kind', `unknown artifact kind "${input.kind}"`, {
        hint: `use one of ${artifactKinds.join(', ')}`,
        exitCode: 2,
      });
    }
    const id = input.id ?? `${input.kind}:${input.name}`;
    const now = new Date().toISOString();
    await this.transaction(async (connection) => {
      await connection.run(
        `INSERT INTO artifacts VALUES ($id, $kind, $name, $path, $metadata, $now, $now)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, path = excluded.path,
           metadata = excluded.metadata, updated_at = excluded.updated_at`,
        { id, kind: input.kind, name: input.name, path: input.path ?? null, metadata: JSON.stringify(input.metadata ?? {}), now },
      );
      for (const source of input.inputs ?? []) {
        await connection.run(
          `INSERT INTO edges VALUES ($from, $to, $relation, $now) ON CONFLICT DO NOTHING`,
          { from: source.id, to: id, relation: source.relation ?? 'input', now },
        );
      }
    });
    const artifact = await this.get(id);
    return artifact!;
  }

  async link(from: string, to: string, relation = 'input'): Promise<void> {
    const now = new Date().toISOString();
    await this.transaction((connection) =>
      connection.run(`INSERT INTO edges VALUES ($from, $to, $relation, $now) ON CONFLICT DO NOTHING`, { from, to, relation, now }),
    );
  }

  async get(id: string): Promise<Artifact | undefined> {
    const rows = await this.query(`SELECT * FROM artifacts WHERE id = $id`, { id });
    return rows.length === 0 ? undefined : toArtifact(rows[0]);
  }

  async list(filter: { kind?: ArtifactKind } = {}): Promise<Artifact[]> {
    const rows = filter.kind
      ? await this.query(`SELECT * FROM artifacts WHERE kind = $kind ORDER BY created_at, id`, { kind: filter.kind })
      : await this.query(`SELECT * FROM artifacts ORDER BY created_at, id`);
    return rows.map(toArtifact);
  }

  async remove(id: string): Promise<boolean> {
    let removed = false;
    await this.transaction(async (connection) => {
      const reader = await connection.runAndReadAll(`DELETE FROM artifacts WHERE id = $id RETURNING id`, { id });
      removed = reader.getRowObjectsJson().length > 0;
      await connection.run(`DELETE FROM edges WHERE from_id = $id OR to_id = $id`, { id });
    });
    return removed;
  }

  /** The artifact with its ancestors (up to its data) and descendants (down to evals, deployments). */
  async lineage(id: string): Promise<Lineage | undefined> {
    const artifact = await this.get(id);
    if (!artifact) return undefined;
    const walk = (direction: 'up' | 'down') => {
      const [near, far] = direction === 'up' ? ['to_id', 'from_id'] : ['from_id', 'to_id'];
      return this.query(
        `WITH RECURSIVE walk(id, depth) AS (
           SELECT $id, 0
           UNION
           SELECT e.${far}, walk.depth + 1 FROM edges e JOIN walk ON e.${near} = walk.id WHERE walk.depth < 64
         )
         SELECT a.*, min(walk.depth) AS depth FROM walk JOIN artifacts a ON a.id = walk.id
         WHERE walk.depth > 0 GROUP BY ALL ORDER BY depth, a.id`,
        { id },
      );
    };
    const [up, down] = [await walk('up'), await walk('down')];
    const ids = [id, ...up.map((row) => String(row.id)), ...down.map((row) => String(row.id))];
    const edgeRows = await this.query(
      `WITH ids AS (SELECT unnest(string_split($ids, chr(31))) AS id)
       SELECT from_id, to_id, relation FROM edges
       WHERE from_id IN (SELECT id FROM ids) AND to_id IN (SELECT id FROM ids) ORDER BY from_id, to_id`,
      { ids: ids.join('\u001f') },
    );
    return {
      artifact,
      up: up.map((row) => ({ artifact: toArtifact(row), depth: Number(row.depth) })),
      down: down.map((row) => ({ artifact: toArtifact(row), depth: Number(row.depth) })),
      edges: edgeRows.map((row) => ({ from: String(row.from_id), to: String(row.to_id), relation: String(row.relation) })),
    };
  }

  /** Read-only SQL over the registry tables (`artifacts`, `edges`). */
  query(sql: string, parameters?: Record<string, string | number | boolean | null>): Promise<Record<string, unknown>[]> {
    return this.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(sql, parameters);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    });
  }

  private transaction(body: (connection: DuckDBConnection) => Promise<unknown>): Promise<void> {
    return this.withConnection(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        await body(connection);
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    });
  }

  private withConnection<T>(body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.openAndRun(body));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async openAndRun<T>(body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    mkdirSync(dirname(this.file), { recursive: true });
    const instance = await this.openWithRetry();
    try {
      const connection = await instance.connect();
      try {
        if (!this.initialised) {
          await connection.run(schemaSql);
          this.initialised = true;
        }
        return await body(connection);
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  }

  private async openWithRetry(): Promise<DuckDBInstance> {
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 2;
    for (;;) {
      try {
        return await DuckDBInstance.create(this.file);
      } catch (error) {
        const message = (error as Error).message;
        if (!/Could not set lock|Conflicting lock/i.test(message) || Date.now() > deadline) {
          throw new ChainlmError('registry-open', `cannot open the registry ${this.file}: ${message}`, {
            hint: 'another chainlm process may be stuck holding it; check `ps` or set CHAINLM_HOME to another folder',
            cause: error,
          });
        }
        await new Promise((resolveDelay) => setTimeout(resolveDelay, delay * (0.5 + Math.random())));
        delay = Math.min(delay * 2, 100);
      }
    }
  }
}

function toArtifact(row: Record<string, unknown>): Artifact {
  return {
    id: String(row.id),
    kind: String(row.kind) as ArtifactKind,
    name: String(row.name),
    path: row.path === null || row.path === undefined ? null : String(row.path),
    metadata: JSON.parse(String(row.metadata)) as Record<string, unknown>,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

export function openRegistry(options: RegistryOptions = {}): Registry {
  return new Registry(options);
}
