import { z } from 'zod';
import { authorize, requireStaff } from '../auth/authorize.ts';
import { INSTITUTION_ROLES, ROLES } from '../auth/privileges.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { type ActorRequest, authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam, nameSchema } from '../shared/validation.ts';
import {
  assignRole,
  createApiToken,
  createStaff,
  getStaff,
  listApiTokens,
  listStaff,
  revokeApiToken,
  revokeRole,
  updateStaff,
} from './commands.ts';

const errors = ERROR_RESPONSES;
const passwordSchema = z.string().min(12, 'use at least 12 characters').max(200);
const usernameSchema = z
  .string()
  .regex(/^[a-z0-9._-]{2,64}$/, 'use 2 to 64 lowercase letters, digits, ".", "-" or "_"');
const staffSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid(),
    username: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    roles: z.array(
      z.object({
        id: z.uuid(),
        role: z.enum(ROLES),
        institutionId: z.string().nullable(),
        libraryId: z.string().nullable(),
        deskId: z.string().nullable(),
        networkId: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Staff' });
const tokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const institutionParams = z.object({ institutionId: idParam });
const staffParams = z.object({ institutionId: idParam, staffId: idParam });
const tags = ['staff'];

export function registerStaffRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;
  const manage = (request: ActorRequest, institutionId: string) =>
    authorizedContext(db, request, 'staff.manage', { institutionId });

  app.get(
    '/institutions/:institutionId/staff',
    {
      schema: {
        tags,
        summary: 'Staff accounts of the institution with their roles',
        params: institutionParams,
        response: { 200: z.array(staffSchema), ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'staff.manage', { institutionId: request.params.institutionId });
      return listStaff(db, request.params.institutionId);
    },
  );
  app.get(
    '/institutions/:institutionId/staff/:staffId',
    {
      schema: {
        tags,
        summary: 'One staff account',
        params: staffParams,
        response: { 200: staffSchema, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'staff.manage', { institutionId: request.params.institutionId });
      return getStaff(db, request.params.institutionId, request.params.staffId);
    },
  );
  app.post(
    '/institutions/:institutionId/staff',
    {
      schema: {
        tags,
        summary: 'Creates a staff account (audited)',
        params: institutionParams,
        body: z.strictObject({
          username: usernameSchema,
          name: nameSchema,
          email: z.email().nullable().optional(),
          password: passwordSchema,
        }),
        response: { 201: staffSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId } = request.params;
      return reply
        .status(201)
        .send(await createStaff(manage(request, institutionId), institutionId, request.body));
    },
  );
  app.patch(
    '/institutions/:institutionId/staff/:staffId',
    {
      schema: {
        tags,
        summary: 'Changes a staff account; deactivating ends its sessions (audited)',
        params: staffParams,
        body: z.strictObject({
          name: nameSchema.optional(),
          email: z.email().nullable().optional(),
          active: z.boolean().optional(),
          password: passwordSchema.optional(),
        }),
        response: { 200: staffSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, staffId } = request.params;
      return updateStaff(manage(request, institutionId), institutionId, staffId, request.body);
    },
  );
  app.post(
    '/institutions/:institutionId/staff/:staffId/roles',
    {
      schema: {
        tags,
        summary: 'Grants a role at this institution, optionally limited to a library or desk (audited)',
        params: staffParams,
        body: z.strictObject({
          role: z
            .enum(INSTITUTION_ROLES as [string, ...string[]])
            .pipe(z.custom<Exclude<(typeof ROLES)[number], 'network_administrator'>>()),
          libraryId: idParam.nullable().optional(),
          deskId: idParam.nullable().optional(),
        }),
        response: { 201: staffSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, staffId } = request.params;
      return reply
        .status(201)
        .send(await assignRole(manage(request, institutionId), institutionId, staffId, request.body));
    },
  );
  app.delete(
    '/institutions/:institutionId/staff/:staffId/roles/:assignmentId',
    {
      schema: {
        tags,
        summary: 'Revokes a role assignment (audited)',
        params: z.object({ institutionId: idParam, staffId: idParam, assignmentId: idParam }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, staffId, assignmentId } = request.params;
      await revokeRole(manage(request, institutionId), institutionId, staffId, assignmentId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your API tokens',
        response: { 200: z.array(tokenSchema), ...errors },
      },
    },
    async (request) => listApiTokens(db, requireStaff(request.actor)),
  );
  app.post(
    '/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Creates an API token for scripts (Authorization: Bearer ...); the token is shown once',
        body: z.strictObject({ name: nameSchema }),
        response: {
          201: tokenSchema.omit({ lastUsedAt: true, revokedAt: true }).extend({ token: z.string() }),
          ...errors,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiToken(db, requireStaff(request.actor), request.body.name)),
  );
  app.delete(
    '/auth/tokens/:tokenId',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revokes one of your API tokens',
        params: z.object({ tokenId: idParam }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await revokeApiToken(db, requireStaff(request.actor), request.params.tokenId);
      return reply.status(204).send(null);
    },
  );
}
