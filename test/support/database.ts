import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { type OpenedDatabase, openDatabase } from '../../src/server/db/database.ts';

/** The variable through which global-setup.ts tells the test workers where this run's setup is. */
export const SETUP_FILE_ENV = 'SHELFSHARE_TEST_SETUP';

export interface TestSetup {
  runId: string;
  pgliteDump: string;
  postgresTemplate?: string;
}

/** The engine this test project runs on: `pglite`, or `postgresql` when TEST_DATABASE_URL is set. */
export const TEST_ENGINE: 'pglite' | 'postgresql' =
  process.env.TEST_DB_ENGINE === 'postgresql' ? 'postgresql' : 'pglite';

let counter = 0;

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh migrated database for one test file, on the project's engine. */
export async function createTestDatabase(): Promise<OpenedDatabase> {
  const setupFile = process.env[SETUP_FILE_ENV];
  if (!setupFile)
    throw new Error(
      `${SETUP_FILE_ENV} is not set: run the tests through vitest (test/support/global-setup.ts)`,
    );
  const setup = JSON.parse(readFileSync(setupFile, 'utf8')) as TestSetup;
  if (TEST_ENGINE === 'postgresql') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url || !setup.postgresTemplate)
      throw new Error('TEST_DATABASE_URL is needed for the postgresql test project');
    const name = `shelfshare_t_${setup.runId}_${process.pid}_${counter++}`;
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    await sql.raw(`CREATE DATABASE ${name} TEMPLATE ${setup.postgresTemplate}`).execute(admin.db);
    const opened = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 10 });
    return {
      ...opened,
      async close() {
        await opened.close();
        await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
        await admin.close();
      },
    };
  }
  const dump = readFileSync(setup.pgliteDump);
  const pglite = await PGlite.create({ loadDataDir: new Blob([dump]) });
  const opened = await openDatabase({ pglite });
  return {
    ...opened,
    async close() {
      await opened.close();
      await pglite.close();
    },
  };
}
