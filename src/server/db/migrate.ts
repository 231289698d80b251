import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './database.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  name: string;
  sql: string;
}

/** The versioned migrations, `NNNN_name.sql`, in order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * Applies the migrations not yet applied, each in its own transaction. An advisory lock
 * makes several processes starting at once against one PostgreSQL take turns.
 * Returns the names applied now.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(7210001)`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
  });
  const applied: string[] = [];
  for (const migration of listMigrations()) {
    const done = await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(7210001)`.execute(trx);
      const existing = await sql<{
        name: string;
      }>`SELECT name FROM schema_migrations WHERE name = ${migration.name}`.execute(trx);
      if (existing.rows.length > 0) return false;
      // Multi-statement SQL goes through the simple query protocol (no parameters).
      await sql.raw(migration.sql).execute(trx);
      await sql`INSERT INTO schema_migrations (name) VALUES (${migration.name})`.execute(trx);
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return applied;
}
