import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { openDatabase } from '../../src/server/db/database.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { SETUP_FILE_ENV, type TestSetup, withDatabase } from './database.ts';

/**
 * Builds one migrated template per engine before the test files run; each file then gets its
 * own database copied from it (PGlite: loaded from a data-dir dump; PostgreSQL:
 * CREATE DATABASE ... TEMPLATE), which is far faster than migrating per file.
 */
export default async function setup() {
  const runId = `${process.pid}_${Date.now()}`;
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  const pgliteDump = join(process.cwd(), '.tmp', `pglite-template-${runId}.tar`);
  const pglite = await PGlite.create('memory://');
  const opened = await openDatabase({ pglite });
  await migrateToLatest(opened.db);
  await opened.close();
  const dump = await pglite.dumpDataDir('none');
  writeFileSync(pgliteDump, Buffer.from(await dump.arrayBuffer()));
  await pglite.close();

  const setupData: TestSetup = { pgliteDump, runId };
  const url = process.env.TEST_DATABASE_URL;
  let adminClose: (() => Promise<void>) | undefined;
  if (url) {
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    const template = `shelfshare_tpl_${runId}`;
    await sql.raw(`CREATE DATABASE ${template}`).execute(admin.db);
    const target = await openDatabase({ databaseUrl: withDatabase(url, template), poolSize: 1 });
    await migrateToLatest(target.db);
    await target.close();
    setupData.postgresTemplate = template;
    adminClose = async () => {
      // Drop every database this run made (the template and each file's copy).
      const rows = await sql<{
        datname: string;
      }>`SELECT datname FROM pg_database WHERE datname LIKE ${`shelfshare_%${runId}%`}`.execute(admin.db);
      for (const { datname } of rows.rows) {
        await sql.raw(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).execute(admin.db);
      }
      await admin.close();
    };
  }
  // One setup file per run, so that two runs in one checkout never remove each other's.
  const setupFile = join(process.cwd(), '.tmp', `test-setup-${runId}.json`);
  writeFileSync(setupFile, JSON.stringify(setupData));
  process.env[SETUP_FILE_ENV] = setupFile;

  return async () => {
    await adminClose?.();
    rmSync(pgliteDump, { force: true });
    rmSync(setupFile, { force: true });
  };
}
