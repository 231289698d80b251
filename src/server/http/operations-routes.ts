import { z } from 'zod';
import { type Db, pingDatabase } from '../db/database.ts';
import type { RouteApp } from './app.ts';

export function registerOperationsRoutes(app: RouteApp, deps: { db: Db; engine: 'pglite' | 'postgresql' }) {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Health check: the server runs and its database answers',
        security: [],
        response: {
          200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgresql']) }),
          503: z.object({ status: z.literal('unavailable'), database: z.enum(['pglite', 'postgresql']) }),
        },
      },
    },
    async (request, reply) => {
      try {
        await pingDatabase(deps.db);
        return { status: 'ok' as const, database: deps.engine };
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unavailable');
        return reply.status(503).send({ status: 'unavailable' as const, database: deps.engine });
      }
    },
  );
}
