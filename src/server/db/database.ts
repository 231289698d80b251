import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { pipeliningClient } from './pipeline.ts';
import { preparingClient } from './prepared.ts';
import type { Database } from './schema.ts';

// node-postgres returns int8 (bigint) as strings; our ids are uuids and counts fit in a
// JS number, so parse int8 as number in one place for both engines.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
// `date` columns stay 'YYYY-MM-DD' strings: a calendar day has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  engine: 'pglite' | 'postgresql';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory (default ./data); `memory://` keeps it in memory. */
  dataDir?: string;
  /** An existing PGlite instance (tests), owned by the caller. */
  pglite?: PGlite;
  poolSize?: number;
  /**
   * Send parameterised statements as named prepared statements (default true; decision 64).
   * Off for a connection pooler in transaction mode that cannot keep them (PgBouncer < 1.21).
   */
  preparedStatements?: boolean;
  /** Told when an idle PostgreSQL connection fails (the pool then replaces it). */
  onIdleError?: (error: Error) => void;
}

/**
 * Opens the database: PostgreSQL through `pg.Pool` when a URL is given, otherwise PGlite
 * through its node-postgres adapter, so both engines share one driver, one dialect and the
 * same value types (architecture.md).
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  if (options.databaseUrl) {
    // Pipeline mode: a query is written without waiting for the one before it to be answered,
    // which lets BEGIN travel with a transaction's first statement (decision 67).
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      pipeline: true,
      // A connection once opened stays open (decision 75). pg's default closed one idle for
      // 10 s, and its pool hands out the most recently used first, so under a steady load all
      // but two or three went; the next burst then opened new backends, each loading its
      // catalogue caches and preparing the statements of the desk's operations afresh on the
      // same two cores, and a 20 ms hiccup grew into a stall of every operation for 0.2–1.5 s
      // (docs/benchmarks.md, ninth round). Idle connections do not keep a process alive.
      idleTimeoutMillis: 0,
      allowExitOnIdle: true,
      // A connection idle for hours may cross a firewall or NAT that forgets it without a word;
      // TCP keepalive probes after a minute of silence find it gone, and the pool replaces it.
      keepAlive: true,
      keepAliveInitialDelayMillis: 60_000,
    });
    // An idle connection dropped by the server (restart, failover) must not crash the
    // process; the pool replaces it on the next query.
    pool.on('error', (error) => options.onIdleError?.(error));
    const db = new Kysely<Database>({ dialect: dialectOver(pool, options) });
    return { db, engine: 'postgresql', close: () => db.destroy() };
  }
  let lock: DataDirLock | undefined;
  let pglite = options.pglite;
  const ownsPglite = !pglite;
  if (!pglite) {
    const dataDir = options.dataDir ?? './data';
    if (!dataDir.startsWith('memory://')) {
      mkdirSync(dataDir, { recursive: true });
      // PGlite lets two processes open one data dir and corrupt it: refuse the second.
      lock = acquireDataDirLock(dataDir);
    }
    try {
      pglite = await PGlite.create(dataDir);
    } catch (error) {
      lock?.release();
      throw error;
    }
  }
  // One connection, never closed when idle: PGlite has one session whatever the client, and a
  // new client would start counting the prepared statements (decision 64) from zero again.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0 } as pg.PoolConfig);
  const db = new Kysely<Database>({ dialect: dialectOver(pool, options) });
  return {
    db,
    engine: 'pglite',
    async close() {
      await db.destroy();
      if (ownsPglite) await pglite.close();
      lock?.release();
    },
  };
}

function dialectOver(pool: pg.Pool, options: OpenDatabaseOptions): PostgresDialect {
  return new PostgresDialect({ pool: serverPool(pool, options) });
}

/**
 * The pool as Kysely sees it: each client prepares its parameterised statements (decision 64,
 * unless turned off) and sends a transaction's BEGIN with its first statement (decision 67).
 */
export function serverPool(pool: pg.Pool, options: Pick<OpenDatabaseOptions, 'preparedStatements'> = {}) {
  return {
    async connect() {
      const client = await pool.connect();
      return pipeliningClient(options.preparedStatements === false ? client : preparingClient(client));
    },
    end: () => pool.end(),
    options: pool.options,
  };
}

/** Throws when the database does not answer (health check). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
