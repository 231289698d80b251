import { resolve } from 'node:path';
import { readSettings } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './http/app.ts';
import { startWorker } from './jobs/runner.ts';
import { startLetterDelivery } from './letters/delivery.ts';
import { seedDemo } from './seed/demo.ts';
import { exitWithError } from './shared/errors.ts';

/**
 * `npm start`: opens the database (PGlite in ./data unless DATABASE_URL is set), migrates,
 * seeds the demo network on first start, and serves the API and the web UI.
 */
async function main() {
  const settings = readSettings();
  const database = await openDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    preparedStatements: settings.preparedStatements,
    onIdleError: (error) => console.warn(`idle database connection lost: ${error.message}`),
  });
  const app = await buildApp({
    db: database.db,
    engine: database.engine,
    logger: { level: settings.logLevel },
    webDir: resolve('dist/web'),
    secureCookies: settings.secureCookies,
    apiTokenTrustMs: settings.apiTokenTrustMs,
  });
  const applied = await migrateToLatest(database.db);
  if (applied.length) app.log.info({ applied }, 'migrations applied');
  if (settings.seedDemo && (await seedDemo(database.db))) app.log.info('demo network seeded');

  // CIRC-12: letters leave the outbox after commit, by SMTP when SMTP_URL is set.
  const stopLetters = startLetterDelivery(database.db, { smtpUrl: settings.smtpUrl, log: app.log });
  // CIRC-10: the scheduled jobs run in this process too (and in `npm run worker` processes).
  const stopWorker = startWorker(database.db, { log: app.log });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    try {
      await stopWorker();
      await stopLetters();
      await app.close();
      await database.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: settings.port, host: settings.host });
  app.log.info({ engine: database.engine }, `Shelfshare is ready on http://localhost:${settings.port}`);
}

main().catch(exitWithError);
