import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Db } from '../../src/server/db/database.ts';
import { buildApp } from '../../src/server/http/app.ts';
import { seedDemoNetworkIfEmpty } from '../../src/server/seed/demo.ts';
import { seedDemoCatalogue } from '../../src/server/seed/demo-catalogue.ts';
import { createTestDatabase } from './database.ts';

export interface TestServer {
  url: string;
  /** The server's database, for fixtures that stand for time passing (never for the walk itself). */
  db: Db;
  close(): Promise<void>;
}

/**
 * The real server for browser tests: a fresh database seeded with the demo network (and, with
 * `catalogue`, the demo catalogue with its items), the built UI, a random local port.
 * The UI comes from dist/web (made by `npm test` before vitest runs), or from
 * SHELFSHARE_TEST_WEB_DIR when a developer builds it elsewhere.
 */
export async function startTestServer(options: { catalogue?: boolean } = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  await seedDemoNetworkIfEmpty(database.db);
  if (options.catalogue) await seedDemoCatalogue(database.db);
  const webDir = resolve(process.env.SHELFSHARE_TEST_WEB_DIR ?? 'dist/web');
  const app = await buildApp({ db: database.db, engine: database.engine, webDir });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db: database.db,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
