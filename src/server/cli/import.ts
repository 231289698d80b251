import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { type ImportProblem, type ImportSummary, importMarcFile } from '../catalogue/import.ts';
import { readSettings } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { exitWithError, notFound } from '../shared/errors.ts';

// `npm run import -- --institution CODE FILE...`: loads MARC 21 files (binary ISO 2709 in MARC-8
// or UTF-8, or MARCXML) into an institution's catalogue, with a progress bar and a report per
// file. Every record that cannot be loaded is listed with its position and reason; the others
// load. Importing the same file again changes nothing.
// Exit status: 0 every record loaded, 2 some records refused, 1 a file could not be imported.
const usage = `Usage: npm run import -- --institution CODE [--all-warnings] FILE...
Reads .mrc (ISO 2709, MARC-8 or UTF-8) and MARCXML files. Holdings and items come from the
852, 949, 952 or 999 fields when present; otherwise each record gets one copy with the barcode
<CODE>-<001> at the first library's STACKS location.`;

const SHOWN_WARNINGS = 20;

process.on('uncaughtException', exitWithError);

function readArguments(): { institution: string; files: string[]; allWarnings: boolean } {
  try {
    const { values, positionals } = parseArgs({
      options: {
        institution: { type: 'string' },
        'all-warnings': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    if (values.institution && positionals.length > 0) {
      return {
        institution: values.institution,
        files: positionals,
        allWarnings: values['all-warnings'] ?? false,
      };
    }
    console.error(usage);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
  }
  process.exit(1);
}

function describe(problem: ImportProblem): string {
  const where = [
    problem.record === null ? 'file' : `record ${problem.record}`,
    problem.offset === null ? '' : `byte ${problem.offset}`,
    problem.line === undefined ? '' : `line ${problem.line}`,
    problem.sourceId && !problem.sourceId.startsWith('hash:') ? `001 ${problem.sourceId}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `  ${problem.severity === 'error' ? 'REFUSED' : 'warning'} ${where}: ${problem.reason}`;
}

function printReport(summary: ImportSummary, allWarnings: boolean) {
  const errors = summary.problems.filter((p) => p.severity === 'error');
  const warnings = summary.problems.filter((p) => p.severity === 'warning');
  const rate = summary.seconds > 0 ? Math.round(summary.read / summary.seconds) : summary.read;
  console.log(
    `${summary.file}: ${summary.read} read, ${summary.created} created, ${summary.updated} updated, ` +
      `${summary.unchanged} unchanged, ${summary.rejected} refused (${summary.seconds.toFixed(1)} s, ${rate} records/s; run ${summary.runId})`,
  );
  for (const problem of errors) console.log(describe(problem));
  const shown = allWarnings ? warnings : warnings.slice(0, SHOWN_WARNINGS);
  for (const problem of shown) console.log(describe(problem));
  if (shown.length < warnings.length) {
    console.log(`  ... and ${warnings.length - shown.length} more warnings (--all-warnings lists them)`);
  }
}

const { institution, files, allWarnings } = readArguments();
const settings = readSettings();
const database = await openDatabase({
  databaseUrl: settings.databaseUrl,
  dataDir: settings.dataDir,
  preparedStatements: settings.preparedStatements,
});
let exitCode = 0;
try {
  await migrateToLatest(database.db);
  const row = await database.db
    .selectFrom('institutions')
    .select(['id', 'code'])
    .where((eb) => eb(eb.fn('upper', ['code']), '=', institution.toUpperCase()))
    .executeTakeFirst();
  if (!row) throw notFound('INSTITUTION_NOT_FOUND', `No institution has the code ${institution}.`);

  for (const file of files) {
    const bar = new cliProgress.SingleBar(
      {
        format:
          '{file} [{bar}] {percentage}% | {read} read, {created} new, {updated} updated, {unchanged} unchanged, {rejected} refused',
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1, 0, { file, read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 });
    try {
      const summary = await importMarcFile(database.db, {
        institutionId: row.id,
        path: file,
        onProgress: (p) => {
          bar.setTotal(Math.max(p.bytesTotal, 1));
          bar.update(p.bytesRead, { ...p, file });
        },
      });
      bar.stop();
      printReport(summary, allWarnings);
      if (summary.rejected > 0 && exitCode === 0) exitCode = 2;
    } catch (error) {
      bar.stop();
      console.error(`${file}: not imported: ${(error as Error).message}`);
      exitCode = 1;
    }
  }
} catch (error) {
  await database.close();
  exitWithError(error);
}
await database.close();
process.exitCode = exitCode;
