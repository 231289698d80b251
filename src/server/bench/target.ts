import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { type OpenedDatabase, openDatabase } from '../db/database.ts';

/**
 * Where the generator and the benchmark work: a dedicated PostgreSQL database
 * (`shelfshare_bench` on BENCH_POSTGRES_URL's server) or a dedicated PGlite data directory
 * (`.tmp/bench-pglite`), never DATABASE_URL or ./data, because generating drops what is there.
 */
export type BenchEngine = 'postgresql' | 'pglite';

export const BENCH_DATABASE = 'shelfshare_bench';
export const BENCH_PGLITE_DIR = resolve('.tmp/bench-pglite');

/** The PostgreSQL server to use: any database on it (the bench database is created beside it). */
export const benchAdminUrl = () =>
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function benchDatabaseUrl(): string {
  const url = new URL(benchAdminUrl());
  url.pathname = `/${BENCH_DATABASE}`;
  return url.toString();
}

/** The settings the server and our own connections use for the bench database. */
export function benchConnection(engine: BenchEngine): { databaseUrl?: string; dataDir?: string } {
  return engine === 'postgresql' ? { databaseUrl: benchDatabaseUrl() } : { dataDir: BENCH_PGLITE_DIR };
}

/** Opens the bench database (PGlite: takes the data directory's lock; close before a server opens it). */
export function openBenchDatabase(engine: BenchEngine, poolSize?: number): Promise<OpenedDatabase> {
  return openDatabase({ ...benchConnection(engine), ...(poolSize ? { poolSize } : {}) });
}

/** Drops the bench database (or data directory) and makes an empty one. */
export async function recreateBenchDatabase(engine: BenchEngine): Promise<void> {
  if (engine === 'pglite') {
    rmSync(BENCH_PGLITE_DIR, { recursive: true, force: true });
    return;
  }
  const admin = await openDatabase({ databaseUrl: benchAdminUrl(), poolSize: 1 });
  try {
    await sql.raw(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`).execute(admin.db);
    await sql.raw(`CREATE DATABASE ${BENCH_DATABASE}`).execute(admin.db);
  } finally {
    await admin.close();
  }
}

/** Whether a generated network is there (the bench refuses to run on nothing). */
export async function benchDatabaseExists(engine: BenchEngine): Promise<boolean> {
  if (engine === 'pglite') {
    const { existsSync } = await import('node:fs');
    return existsSync(resolve(BENCH_PGLITE_DIR, 'PG_VERSION'));
  }
  const admin = await openDatabase({ databaseUrl: benchAdminUrl(), poolSize: 1 });
  try {
    const rows = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${BENCH_DATABASE}`.execute(admin.db);
    return (rows.rows[0]?.n ?? 0) > 0;
  } finally {
    await admin.close();
  }
}
