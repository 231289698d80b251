import { checkInvariants } from '../check/invariants.ts';
import { readSettings } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { exitWithError } from '../shared/errors.ts';

// `npm run check`: verifies the INV invariants on the live database and names every violation.
const settings = readSettings();
process.on('uncaughtException', exitWithError);
const database = await openDatabase({
  databaseUrl: settings.databaseUrl,
  dataDir: settings.dataDir,
  preparedStatements: settings.preparedStatements,
});
try {
  const violations = await checkInvariants(database.db);
  if (violations.length === 0) {
    console.log('All invariants hold.');
  } else {
    for (const v of violations) {
      console.log(`${v.invariant}: ${v.message} (${v.rows.length})`);
      for (const row of v.rows.slice(0, 20)) console.log(`  ${JSON.stringify(row)}`);
    }
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
