import { readSettings } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seedDemo } from '../seed/demo.ts';
import { exitWithError } from '../shared/errors.ts';

// `npm run seed`: migrates, then seeds the demo network unless the database already has institutions.
const settings = readSettings();
process.on('uncaughtException', exitWithError);
const database = await openDatabase({
  databaseUrl: settings.databaseUrl,
  dataDir: settings.dataDir,
  preparedStatements: settings.preparedStatements,
});
try {
  await migrateToLatest(database.db);
  const seeded = await seedDemo(database.db);
  console.log(seeded ? 'Demo network seeded.' : 'The database already has institutions: nothing seeded.');
} finally {
  await database.close();
}
