import { readSettings } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { exitWithError } from '../shared/errors.ts';

// `npm run migrate`: applies pending migrations to DATABASE_URL or the PGlite data dir.
const settings = readSettings();
process.on('uncaughtException', exitWithError);
const database = await openDatabase({
  databaseUrl: settings.databaseUrl,
  dataDir: settings.dataDir,
  preparedStatements: settings.preparedStatements,
});
try {
  const applied = await migrateToLatest(database.db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
} finally {
  await database.close();
}
