import { z } from 'zod';
import { authorize } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { type ActorRequest, authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import {
  addBlock,
  addIdentifier,
  createPatron,
  expirePatron,
  getPatron,
  removeBlock,
  removeIdentifier,
  searchPatrons,
  setPatronPassword,
  updatePatron,
} from './commands.ts';
import {
  blockCreateSchema,
  identifierSchema,
  identifierTypeSchema,
  identifierValueSchema,
  patronCreateSchema,
  patronPasswordSchema,
  patronSearchResultSchema,
  patronUpdateSchema,
  patronViewSchema,
  searchQuerySchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const institutionParams = z.object({ institutionId: idParam });
const patronParams = z.object({ institutionId: idParam, patronId: idParam });
const tags = ['patrons'];
const base = '/institutions/:institutionId/patrons';

/**
 * PAT-1 patron records of one institution. Reading needs patrons.read there, changing needs
 * patrons.manage; staff of another member get 403 before anything is looked up (PAT-8: other
 * members see a patron only through the network module's shared fields).
 */
export function registerPatronRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;
  const manage = (request: ActorRequest, institutionId: string) =>
    authorizedContext(db, request, 'patrons.manage', { institutionId });

  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'Searches patrons by name or identifier (exact identifier matches first)',
        params: institutionParams,
        querystring: searchQuerySchema,
        response: { 200: patronSearchResultSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId } = request.params;
      authorize(request.actor, 'patrons.read', { institutionId });
      return searchPatrons(db, institutionId, request.query);
    },
  );
  app.get(
    `${base}/:patronId`,
    {
      schema: {
        tags,
        summary: 'One patron record with identifiers, active blocks and the expired and blocked flags',
        params: patronParams,
        response: { 200: patronViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, patronId } = request.params;
      authorize(request.actor, 'patrons.read', { institutionId });
      return getPatron(db, institutionId, patronId);
    },
  );
  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Creates a patron record',
        params: institutionParams,
        body: patronCreateSchema,
        response: { 201: patronViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId } = request.params;
      return reply
        .status(201)
        .send(await createPatron(manage(request, institutionId), institutionId, request.body));
    },
  );
  app.patch(
    `${base}/:patronId`,
    {
      schema: {
        tags,
        summary: 'Changes any subset of a patron record; identifiers, when given, replace all others',
        params: patronParams,
        body: patronUpdateSchema,
        response: { 200: patronViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, patronId } = request.params;
      return updatePatron(manage(request, institutionId), institutionId, patronId, request.body);
    },
  );
  app.post(
    `${base}/:patronId/identifiers`,
    {
      schema: {
        tags,
        summary: 'Adds an identifier (barcode, university ID, ...), unique in the institution per type',
        params: patronParams,
        body: identifierSchema,
        response: { 201: patronViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, patronId } = request.params;
      return reply
        .status(201)
        .send(await addIdentifier(manage(request, institutionId), institutionId, patronId, request.body));
    },
  );
  app.delete(
    `${base}/:patronId/identifiers/:type/:value`,
    {
      schema: {
        tags,
        summary: 'Removes an identifier of the patron',
        params: patronParams.extend({ type: identifierTypeSchema, value: identifierValueSchema }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, patronId, type, value } = request.params;
      await removeIdentifier(manage(request, institutionId), institutionId, patronId, { type, value });
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${base}/:patronId/blocks`,
    {
      schema: {
        tags,
        summary: 'Blocks the patron; a network block carries to linked accounts (PAT-7)',
        params: patronParams,
        body: blockCreateSchema,
        response: { 201: patronViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, patronId } = request.params;
      return reply
        .status(201)
        .send(await addBlock(manage(request, institutionId), institutionId, patronId, request.body));
    },
  );
  app.delete(
    `${base}/:patronId/blocks/:blockId`,
    {
      schema: {
        tags,
        summary: 'Lifts a block; the block is kept with who lifted it and when',
        params: patronParams.extend({ blockId: idParam }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, patronId, blockId } = request.params;
      await removeBlock(manage(request, institutionId), institutionId, patronId, blockId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${base}/:patronId/expire`,
    {
      schema: {
        tags,
        summary: "Expires the record now: the expiry date becomes today in the institution's time zone",
        params: patronParams,
        response: { 200: patronViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, patronId } = request.params;
      return expirePatron(manage(request, institutionId), institutionId, patronId);
    },
  );
  app.put(
    `${base}/:patronId/password`,
    {
      schema: {
        tags,
        summary:
          "Sets the patron's discovery password (null removes the discovery login); ends their sessions",
        params: patronParams,
        body: z.strictObject({ password: patronPasswordSchema.nullable() }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, patronId } = request.params;
      await setPatronPassword(manage(request, institutionId), institutionId, patronId, request.body.password);
      return reply.status(204).send(null);
    },
  );
}
