import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { buildApp } from '../../src/server/http/app.ts';
import { seedDemoNetworkIfEmpty } from '../../src/server/seed/demo.ts';
import { createTestDatabase } from './database.ts';

/**
 * The real server for browser tests: a fresh database seeded with the demo network, the
 * built UI (dist/web, made by `npm test` before vitest runs), a random local port.
 */
export async function startTestServer(): Promise<{ url: string; close(): Promise<void> }> {
  const database = await createTestDatabase();
  await seedDemoNetworkIfEmpty(database.db);
  const app = await buildApp({ db: database.db, engine: database.engine, webDir: resolve('dist/web') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
