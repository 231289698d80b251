import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { libraryScope } from '../requests/reads.ts';
import { authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import { cancelTransit, listTransits, transitSlipHtml } from './commands.ts';
import { cancelTransitSchema, transitListQuerySchema, transitViewSchema } from './schemas.ts';

const errors = ERROR_RESPONSES;
const tags = ['transits'];
const transitParams = z.object({ institutionId: idParam, transitId: idParam });

/** Transits between libraries (CIRC-9). */
export function registerTransitRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;

  app.get(
    '/circulation/libraries/:libraryId/transits',
    {
      schema: {
        tags,
        summary: 'Open transits to (or from) a library, late ones marked (CIRC-9)',
        params: z.object({ libraryId: idParam }),
        querystring: transitListQuerySchema,
        response: { 200: z.array(transitViewSchema), ...errors },
      },
    },
    async (request) => {
      const library = await libraryScope(db, request.params.libraryId);
      authorizedContext(db, request, 'circulation.desk', library.scope);
      return listTransits(db, request.params.libraryId, request.query.direction);
    },
  );

  app.post(
    '/circulation/transits/:institutionId/:transitId/cancel',
    {
      schema: {
        tags,
        summary:
          'Cancels an open transit; the item is put in place where it is and decided afresh at its next scan',
        params: transitParams,
        body: cancelTransitSchema,
        response: { 204: z.null().describe('Cancelled'), ...errors },
      },
    },
    async (request, reply) => {
      await cancelTransit(
        db,
        request.actor,
        new Date(),
        request.params.institutionId,
        request.params.transitId,
        request.body.reason,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/circulation/transits/:institutionId/:transitId/slip',
    {
      schema: {
        tags,
        summary: 'The transit slip as a print-ready HTML page (CIRC-9)',
        params: transitParams,
        produces: ['text/html'],
        response: { 200: z.string().describe('text/html'), ...errors },
      },
    },
    async (request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          await transitSlipHtml(db, request.actor, request.params.institutionId, request.params.transitId),
        ),
  );
}
