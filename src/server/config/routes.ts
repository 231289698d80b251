import { z } from 'zod';
import { authorize } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { auditEntrySchema, auditQuerySchema, listAudit } from '../shared/audit.ts';
import { type ActorRequest, authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES, errorBodySchema } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import {
  createConfigRecord,
  deleteConfigRecord,
  getConfigRecord,
  listConfigRecords,
  updateConfigRecord,
} from './commands.ts';
import {
  deleteTransitTime,
  getCalendar,
  getInstitution,
  getPublicInstitution,
  listLibraryRelations,
  listPublicInstitutions,
  listTransitTimes,
  replaceCalendar,
  setLibraryRelation,
  setTransitTime,
  updateInstitution,
} from './institution-commands.ts';
import { CONFIG_RESOURCES, type ConfigResource } from './resources.ts';
import {
  calendarSchema,
  institutionSchema,
  institutionUpdateSchema,
  libraryRelationSchema,
  publicInstitutionDetailSchema,
  publicInstitutionSchema,
  transitTimeSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const institutionParams = z.object({ institutionId: idParam });
const recordParams = z.object({ institutionId: idParam, id: idParam });

function viewSchema(resource: ConfigResource) {
  return z
    .object({
      id: z.uuid(),
      institutionId: z.uuid(),
      ...Object.fromEntries(Object.entries(resource.fields).map(([k, v]) => [k, v.optional()])),
      ...(resource.withLibraryName ? { libraryName: z.string() } : {}),
      createdAt: z.string().optional(),
      updatedAt: z.string().optional(),
    })
    .meta({ id: resource.title.replace(/[^A-Za-z]/g, '') });
}

function createSchema(resource: ConfigResource) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(resource.fields)) {
    shape[key] = resource.required.includes(key) ? field : field.optional();
  }
  return z.strictObject(shape);
}

function updateSchema(resource: ConfigResource) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(resource.fields)) {
    if (!resource.immutable?.includes(key)) shape[key] = field.optional();
  }
  return z.strictObject(shape);
}

function registerResource(app: RouteApp, db: Db, resource: ConfigResource) {
  const view = viewSchema(resource);
  const base = `/institutions/:institutionId/${resource.path}`;
  const tags = ['configuration'];
  const ctx = (request: ActorRequest, institutionId: string) =>
    authorizedContext(db, request, resource.privilege, { institutionId });

  app.get(
    base,
    {
      schema: {
        tags,
        summary: `List ${resource.title.toLowerCase()} records`,
        params: institutionParams,
        response: { 200: z.array(view), ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'config.read', { institutionId: request.params.institutionId });
      return listConfigRecords(db, resource, request.params.institutionId);
    },
  );
  app.get(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Read one ${resource.title.toLowerCase()}`,
        params: recordParams,
        response: { 200: view, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'config.read', { institutionId: request.params.institutionId });
      return getConfigRecord(db, resource, request.params.institutionId, request.params.id);
    },
  );
  app.post(
    base,
    {
      schema: {
        tags,
        summary: `Create a ${resource.title.toLowerCase()} (audited)`,
        params: institutionParams,
        body: createSchema(resource),
        response: { 201: view, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId } = request.params;
      const record = await createConfigRecord(
        ctx(request, institutionId),
        resource,
        institutionId,
        request.body,
      );
      return reply.status(201).send(record);
    },
  );
  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Change a ${resource.title.toLowerCase()} (audited)`,
        params: recordParams,
        body: updateSchema(resource),
        response: { 200: view, ...errors },
      },
    },
    async (request) => {
      const { institutionId, id } = request.params;
      return updateConfigRecord(ctx(request, institutionId), resource, institutionId, id, request.body);
    },
  );
  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Delete a ${resource.title.toLowerCase()} that nothing uses (audited)`,
        params: recordParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, id } = request.params;
      await deleteConfigRecord(ctx(request, institutionId), resource, institutionId, id);
      return reply.status(204).send(null);
    },
  );
}

export function registerConfigRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;
  for (const resource of CONFIG_RESOURCES) registerResource(app, db, resource);
  const tags = ['configuration'];

  app.get(
    '/public/institutions',
    {
      config: { public: true },
      schema: {
        tags: ['discovery'],
        summary: 'Institutions with a discovery view',
        security: [],
        response: { 200: z.array(publicInstitutionSchema) },
      },
    },
    async () => listPublicInstitutions(db),
  );
  app.get(
    '/public/institutions/:code',
    {
      config: { public: true },
      schema: {
        tags: ['discovery'],
        summary: "An institution's discovery home: name and libraries",
        security: [],
        params: z.object({ code: z.string().max(32) }),
        response: { 200: publicInstitutionDetailSchema, 404: errorBodySchema },
      },
    },
    async (request) => getPublicInstitution(db, request.params.code),
  );

  app.get(
    '/institutions/:institutionId',
    {
      schema: {
        tags,
        summary: 'An institution with its network settings',
        params: institutionParams,
        response: { 200: institutionSchema, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'config.read', { institutionId: request.params.institutionId });
      return getInstitution(db, request.params.institutionId);
    },
  );
  app.patch(
    '/institutions/:institutionId',
    {
      schema: {
        tags,
        summary: 'Change the institution (NET-1) and its network settings (NET-4, NET-5); audited',
        params: institutionParams,
        body: institutionUpdateSchema,
        response: { 200: institutionSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId } = request.params;
      const actor = authorize(request.actor, 'config.institution.manage', { institutionId });
      return updateInstitution({ db, actor, requestId: request.id }, institutionId, request.body);
    },
  );

  const libraryParams = z.object({ institutionId: idParam, libraryId: idParam });
  app.get(
    '/institutions/:institutionId/libraries/:libraryId/calendar',
    {
      schema: {
        tags,
        summary: "A library's opening hours and closed days (NET-6)",
        params: libraryParams,
        response: { 200: calendarSchema, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'config.read', { institutionId: request.params.institutionId });
      return getCalendar(db, request.params.institutionId, request.params.libraryId);
    },
  );
  app.put(
    '/institutions/:institutionId/libraries/:libraryId/calendar',
    {
      schema: {
        tags,
        summary: "Replaces a library's opening hours and closed days (audited)",
        params: libraryParams,
        body: calendarSchema,
        response: { 200: calendarSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, libraryId } = request.params;
      const actor = authorize(request.actor, 'config.institution.manage', { institutionId });
      return replaceCalendar({ db, actor, requestId: request.id }, institutionId, libraryId, request.body);
    },
  );

  app.get(
    '/institutions/:institutionId/library-relations',
    {
      schema: {
        tags,
        summary: 'Which library lends or delivers for which (NET-6)',
        params: institutionParams,
        response: { 200: z.array(libraryRelationSchema), ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'config.read', { institutionId: request.params.institutionId });
      return listLibraryRelations(db, request.params.institutionId);
    },
  );
  app.put(
    '/institutions/:institutionId/library-relations',
    {
      schema: {
        tags,
        summary: 'Sets whether one library lends or delivers for another (audited)',
        params: institutionParams,
        body: libraryRelationSchema,
        response: { 200: libraryRelationSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId } = request.params;
      const actor = authorize(request.actor, 'config.institution.manage', { institutionId });
      return setLibraryRelation({ db, actor, requestId: request.id }, institutionId, request.body);
    },
  );

  app.get(
    '/institutions/:institutionId/transit-times',
    {
      schema: {
        tags,
        summary: "Transit times from and to the institution's libraries, also across institutions (NET-6)",
        params: institutionParams,
        response: { 200: z.array(transitTimeSchema), ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'config.read', { institutionId: request.params.institutionId });
      return listTransitTimes(db, request.params.institutionId);
    },
  );
  app.put(
    '/institutions/:institutionId/transit-times',
    {
      schema: {
        tags,
        summary: 'Sets the days from one of our libraries to any library (audited)',
        params: institutionParams,
        body: transitTimeSchema,
        response: { 200: transitTimeSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId } = request.params;
      const actor = authorize(request.actor, 'config.institution.manage', { institutionId });
      return setTransitTime({ db, actor, requestId: request.id }, institutionId, request.body);
    },
  );
  app.delete(
    '/institutions/:institutionId/transit-times/:fromLibraryId/:toLibraryId',
    {
      schema: {
        tags,
        summary: 'Removes a transit time (audited)',
        params: z.object({ institutionId: idParam, fromLibraryId: idParam, toLibraryId: idParam }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, fromLibraryId, toLibraryId } = request.params;
      const actor = authorize(request.actor, 'config.institution.manage', { institutionId });
      await deleteTransitTime(
        { db, actor, requestId: request.id },
        institutionId,
        fromLibraryId,
        toLibraryId,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/institutions/:institutionId/audit',
    {
      schema: {
        tags,
        summary: 'The configuration audit trail: who changed what, when (NET-7)',
        params: institutionParams,
        querystring: auditQuerySchema,
        response: { 200: z.array(auditEntrySchema), ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'audit.read', { institutionId: request.params.institutionId });
      return listAudit(db, { institutionId: request.params.institutionId }, request.query);
    },
  );
}
