import { z } from 'zod';
import { requirePatron } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import { cancelRequest, expireHoldShelf, markMissing, markPicked, placeRequest } from './commands.ts';
import {
  expiredHoldShelf,
  getRequest,
  holdShelf,
  holdShelfSlipHtml,
  libraryScope,
  listMyRequests,
  listPatronRequests,
  pickList,
  pickSlipsHtml,
  presentRequest,
  titleQueue,
} from './reads.ts';
import {
  cancelByPatronSchema,
  cancelByStaffSchema,
  expireResultSchema,
  expireSchema,
  markMissingResultSchema,
  missingSchema,
  placeByPatronSchema,
  placeByStaffSchema,
  requestViewSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const tags = ['requests'];
const requestParams = z.object({ institutionId: idParam, requestId: idParam });
const libraryParams = z.object({ libraryId: idParam });
const html = { 200: z.string().describe('text/html'), ...errors };

/** Requests, pick from shelf and the hold shelf (CIRC-7, CIRC-8). Routes validate, then call one use case. */
export function registerRequestRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;

  app.post(
    '/patron/requests',
    {
      schema: {
        tags,
        summary:
          'Places a hold or page for the signed-in patron (CIRC-7); 422 REQUEST_REFUSED lists every reason',
        body: placeByPatronSchema,
        response: { 201: requestViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const patron = requirePatron(request.actor);
      const placed = await placeRequest(db, new Date(), { kind: 'patron', actor: patron }, request.body);
      return reply.status(201).send(placed);
    },
  );

  app.get(
    '/patron/requests',
    {
      schema: {
        tags,
        summary: "The signed-in patron's active requests",
        response: { 200: z.array(requestViewSchema), ...errors },
      },
    },
    async (request) => listMyRequests(db, request.actor),
  );

  app.post(
    '/patron/requests/:institutionId/:requestId/cancel',
    {
      schema: {
        tags,
        summary: "Cancels one of the signed-in patron's own requests (CIRC-7)",
        params: requestParams,
        body: cancelByPatronSchema,
        response: { 200: requestViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, requestId } = request.params;
      await cancelRequest(
        db,
        new Date(),
        { kind: 'patron', actor: requirePatron(request.actor) },
        institutionId,
        requestId,
        request.body.reason ?? 'Cancelled by the patron',
      );
      return presentRequest(db, institutionId, requestId);
    },
  );

  app.post(
    '/circulation/requests',
    {
      schema: {
        tags,
        summary:
          'Places a hold or page for a patron by staff (CIRC-7); 422 REQUEST_REFUSED lists every reason',
        body: placeByStaffSchema,
        response: { 201: requestViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const placed = await placeRequest(
        db,
        new Date(),
        { kind: 'staff', actor: request.actor },
        request.body,
      );
      return reply.status(201).send(placed);
    },
  );

  app.get(
    '/circulation/requests/:institutionId/:requestId',
    {
      schema: {
        tags,
        summary: 'One request',
        params: requestParams,
        response: { 200: requestViewSchema, ...errors },
      },
    },
    async (request) => getRequest(db, request.actor, request.params.institutionId, request.params.requestId),
  );

  app.post(
    '/circulation/requests/:institutionId/:requestId/cancel',
    {
      schema: {
        tags,
        summary: 'Cancels a request with a reason (CIRC-7); the queue closes up and the patron is told',
        params: requestParams,
        body: cancelByStaffSchema,
        response: { 200: requestViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, requestId } = request.params;
      await cancelRequest(
        db,
        new Date(),
        { kind: 'staff', actor: request.actor },
        institutionId,
        requestId,
        request.body.reason,
      );
      return presentRequest(db, institutionId, requestId);
    },
  );

  app.post(
    '/circulation/requests/:institutionId/:requestId/picked',
    {
      schema: {
        tags,
        summary: 'Marks a pick-list request picked from the shelf (status in_process)',
        params: requestParams,
        response: { 200: requestViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, requestId } = request.params;
      await markPicked(db, request.actor, new Date(), institutionId, requestId);
      return presentRequest(db, institutionId, requestId);
    },
  );

  app.post(
    '/circulation/requests/:institutionId/:requestId/missing',
    {
      schema: {
        tags,
        summary: 'The pick-list copy is missing or damaged: marks it and retargets the request (CIRC-7)',
        params: requestParams,
        body: missingSchema,
        response: { 200: markMissingResultSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, requestId } = request.params;
      const result = await markMissing(db, request.actor, new Date(), institutionId, requestId, request.body);
      return { request: await presentRequest(db, institutionId, requestId), ...result };
    },
  );

  app.get(
    '/circulation/requests/:institutionId/:requestId/hold-shelf-slip',
    {
      schema: {
        tags,
        summary: 'The hold shelf slip as a print-ready HTML page (CIRC-8)',
        params: requestParams,
        produces: ['text/html'],
        response: html,
      },
    },
    async (request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          await holdShelfSlipHtml(db, request.actor, request.params.institutionId, request.params.requestId),
        ),
  );

  app.get(
    '/circulation/patrons/:institutionId/:patronId/requests',
    {
      schema: {
        tags,
        summary: "A patron's active requests",
        params: z.object({ institutionId: idParam, patronId: idParam }),
        response: { 200: z.array(requestViewSchema), ...errors },
      },
    },
    async (request) =>
      listPatronRequests(db, request.actor, request.params.institutionId, request.params.patronId),
  );

  app.get(
    '/circulation/titles/:institutionId/:bibId/requests',
    {
      schema: {
        tags,
        summary: "A title's request queue in order (CIRC-7)",
        params: z.object({ institutionId: idParam, bibId: idParam }),
        response: { 200: z.array(requestViewSchema), ...errors },
      },
    },
    async (request) => titleQueue(db, request.actor, request.params.institutionId, request.params.bibId),
  );

  app.get(
    '/circulation/libraries/:libraryId/pick-list',
    {
      schema: {
        tags,
        summary: "The library's pick-from-shelf task list: requests whose copy is on its shelves",
        params: libraryParams,
        response: { 200: z.array(requestViewSchema), ...errors },
      },
    },
    async (request) => {
      const library = await libraryScope(db, request.params.libraryId);
      authorizedContext(db, request, 'circulation.desk', library.scope);
      return pickList(db, request.params.libraryId);
    },
  );

  app.get(
    '/circulation/libraries/:libraryId/pick-slips',
    {
      schema: {
        tags,
        summary: 'Print-ready pick slips of the pick list (or one request of it)',
        params: libraryParams,
        querystring: z.strictObject({ requestId: idParam.optional() }),
        produces: ['text/html'],
        response: html,
      },
    },
    async (request, reply) => {
      const library = await libraryScope(db, request.params.libraryId);
      authorizedContext(db, request, 'circulation.desk', library.scope);
      return reply
        .type('text/html; charset=utf-8')
        .send(await pickSlipsHtml(db, request.params.libraryId, request.query.requestId));
    },
  );

  app.get(
    '/circulation/libraries/:libraryId/hold-shelf',
    {
      schema: {
        tags,
        summary: "The pickup library's hold shelf with each request's expiry (CIRC-8)",
        params: libraryParams,
        response: { 200: z.array(requestViewSchema), ...errors },
      },
    },
    async (request) => {
      const library = await libraryScope(db, request.params.libraryId);
      authorizedContext(db, request, 'circulation.desk', library.scope);
      return holdShelf(db, request.params.libraryId);
    },
  );

  app.get(
    '/circulation/libraries/:libraryId/hold-shelf/expired',
    {
      schema: {
        tags,
        summary:
          'The expired hold shelf: requests closed while their item sat on the shelf, not yet scanned (CIRC-8)',
        params: libraryParams,
        response: { 200: z.array(requestViewSchema), ...errors },
      },
    },
    async (request) => {
      const library = await libraryScope(db, request.params.libraryId);
      authorizedContext(db, request, 'circulation.desk', library.scope);
      return expiredHoldShelf(db, request.params.libraryId);
    },
  );

  app.post(
    '/circulation/libraries/:libraryId/hold-shelf/expire',
    {
      schema: {
        tags,
        summary: 'Closes the requests whose hold shelf expiry has passed (CIRC-8; idempotent)',
        params: libraryParams,
        body: expireSchema.optional(),
        response: { 200: expireResultSchema, ...errors },
      },
    },
    async (request) => {
      const library = await libraryScope(db, request.params.libraryId);
      authorizedContext(db, request, 'circulation.desk', library.scope);
      return expireHoldShelf({ db }, { libraryId: request.params.libraryId, now: new Date() });
    },
  );
}
