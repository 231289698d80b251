import { readSettings } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startWorker } from '../jobs/runner.ts';
import { exitWithError } from '../shared/errors.ts';

/**
 * `npm run worker`: the job runner as its own process (CIRC-10), for PostgreSQL
 * (DATABASE_URL): any number of workers and API processes share the jobs table, each job
 * claimed with FOR UPDATE SKIP LOCKED. On PGlite the server runs the worker loop in-process
 * (one process owns the data directory); started alone against a data directory that no
 * server holds, this runs the jobs there too. WORKER_INTERVAL_MS sets the pause between ticks.
 */
const settings = readSettings();
process.on('uncaughtException', exitWithError);
const database = await openDatabase({
  databaseUrl: settings.databaseUrl,
  dataDir: settings.dataDir,
  preparedStatements: settings.preparedStatements,
});
await migrateToLatest(database.db);
const log = {
  info: (obj: object, msg: string) => console.log(JSON.stringify({ level: 'info', msg, ...obj })),
  error: (obj: object, msg: string) => console.error(JSON.stringify({ level: 'error', msg, ...obj })),
};
const stop = startWorker(database.db, {
  intervalMs: Number(process.env.WORKER_INTERVAL_MS ?? 60_000),
  log,
});
log.info({ engine: database.engine }, 'worker started');
let closing = false;
const shutdown = async (signal: string) => {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'worker stopping after the current batch');
  try {
    await stop();
    await database.close();
  } finally {
    process.exit(0);
  }
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
