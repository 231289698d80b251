import { parseArgs } from 'node:util';
import { readSettings } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { loadPatronsCsvFile, PATRON_CSV_COLUMNS } from '../patrons/load-csv.ts';
import { exitWithError } from '../shared/errors.ts';

// `npm run load-patrons -- --institution CODE FILE`: loads patrons from a CSV file (PAT-1).
// Every bad row is reported with its line and reason; the good rows are loaded; a re-run updates
// the same records. The columns are described in src/server/patrons/load-csv.ts.
// Exit status: 0 all rows loaded, 2 some rows refused, 1 nothing could be loaded.
const usage = `Usage: npm run load-patrons -- --institution CODE FILE.csv
Columns (header row, any order): ${PATRON_CSV_COLUMNS.join(', ')}
Required: primary_identifier, last_name, user_group (a user group code of the institution).`;

process.on('uncaughtException', exitWithError);

function readArguments(): { institution: string; file: string } {
  try {
    const { values, positionals } = parseArgs({
      options: { institution: { type: 'string' }, help: { type: 'boolean' } },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    const [file, ...extra] = positionals;
    if (values.institution && file && extra.length === 0) return { institution: values.institution, file };
    console.error(usage);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
  }
  process.exit(1);
}
const { institution, file } = readArguments();

const settings = readSettings();
const database = await openDatabase({
  databaseUrl: settings.databaseUrl,
  dataDir: settings.dataDir,
  preparedStatements: settings.preparedStatements,
});
try {
  await migrateToLatest(database.db);
  const summary = await loadPatronsCsvFile(database.db, {
    institutionCode: institution,
    file,
    onRow: (rows) => {
      if (rows % 1000 === 0) process.stderr.write(`  ${rows} rows read...\n`);
    },
  });
  for (const problem of summary.problems) {
    const who = problem.primaryIdentifier ? ` (${problem.primaryIdentifier})` : '';
    console.error(`line ${problem.line}${who}: ${problem.reason}`);
  }
  console.log(
    `${file} into ${summary.institutionCode}: ${summary.rows} rows read, ${summary.created} created, ` +
      `${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.rejected} refused.`,
  );
  process.exitCode = summary.rejected > 0 ? 2 : 0;
} catch (error) {
  await database.close();
  exitWithError(error);
}
await database.close();
