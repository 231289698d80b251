import { z } from 'zod';
import { authorize } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import { checkInvariants } from './invariants.ts';

/**
 * The INV check over HTTP for one institution's rows, so operators can run it while the
 * embedded server holds the database (the `npm run check` command needs the data directory).
 */
export function registerCheckRoutes(app: RouteApp, deps: { db: Db }) {
  app.get(
    '/institutions/:institutionId/invariants',
    {
      schema: {
        tags: ['operations'],
        summary: "Verifies the INV invariants on the institution's rows and names every violation",
        params: z.object({ institutionId: idParam }),
        response: {
          200: z.object({
            holds: z.boolean(),
            violations: z.array(
              z.object({
                invariant: z.string(),
                message: z.string(),
                rows: z.array(z.record(z.string(), z.unknown())),
              }),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      authorize(request.actor, 'audit.read', { institutionId: request.params.institutionId });
      const violations = await checkInvariants(deps.db, request.params.institutionId);
      return { holds: violations.length === 0, violations };
    },
  );
}
