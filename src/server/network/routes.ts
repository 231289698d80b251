import { z } from 'zod';
import { authorize, requireStaff } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { auditEntrySchema, auditQuerySchema, listAudit } from '../shared/audit.ts';
import { type ActorRequest, authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { codeSchema, idParam, nameSchema } from '../shared/validation.ts';
import {
  addMember,
  addNetworkAdministrator,
  authorizeNetworkRead,
  createNetwork,
  getNetwork,
  listNetworksFor,
  removeMember,
  renameNetwork,
  setRelation,
} from './commands.ts';

const errors = ERROR_RESPONSES;
const relationFlags = {
  walkInLoans: z.boolean().describe("The owner lends to the other's patrons at its own desks"),
  pickup: z
    .boolean()
    .describe("The other may be the pickup location for the owner's items and lend them there"),
  returnAnywhere: z.boolean().describe("The other takes returns of the owner's items"),
};
const relationSchema = z
  .object({ ownerInstitutionId: z.uuid(), otherInstitutionId: z.uuid(), ...relationFlags })
  .meta({ id: 'NetworkRelation' });
const networkSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    members: z.array(
      z.object({
        institutionId: z.uuid(),
        code: z.string(),
        name: z.string(),
        joinedAt: z.string(),
        leftAt: z.string().nullable(),
      }),
    ),
    relations: z.array(relationSchema),
  })
  .meta({ id: 'Network' });
const networkParams = z.object({ networkId: idParam });
const tags = ['network'];

export function registerNetworkRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;
  const manage = (request: ActorRequest, networkId: string) =>
    authorizedContext(db, request, 'network.manage', { networkId });

  app.get(
    '/networks',
    {
      schema: {
        tags,
        summary: "Networks of the signed-in staff member's institutions and those they administer",
        response: { 200: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.string() })), ...errors },
      },
    },
    async (request) => listNetworksFor(db, requireStaff(request.actor)),
  );

  app.post(
    '/networks',
    {
      schema: {
        tags,
        summary:
          "Creates a network with the caller's institution as founding member; the caller administers it",
        body: z.strictObject({ code: codeSchema, name: nameSchema, foundingInstitutionId: idParam }),
        response: { 201: networkSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authorize(request.actor, 'config.institution.manage', {
        institutionId: request.body.foundingInstitutionId,
      });
      return reply.status(201).send(await createNetwork({ db, actor, requestId: request.id }, request.body));
    },
  );

  app.get(
    '/networks/:networkId',
    {
      schema: {
        tags,
        summary: 'A network: members with history (NET-2) and relations (NET-3)',
        params: networkParams,
        response: { 200: networkSchema, ...errors },
      },
    },
    async (request) => {
      await authorizeNetworkRead(db, requireStaff(request.actor), request.params.networkId);
      return getNetwork(db, request.params.networkId);
    },
  );

  app.get(
    '/networks/:networkId/audit',
    {
      schema: {
        tags,
        summary: "The network's audit trail: membership, relations, administrators (NET-7)",
        params: networkParams,
        querystring: auditQuerySchema,
        response: { 200: z.array(auditEntrySchema), ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'network.manage', { networkId: request.params.networkId });
      return listAudit(db, { networkId: request.params.networkId }, request.query);
    },
  );

  app.patch(
    '/networks/:networkId',
    {
      schema: {
        tags,
        summary: 'Renames a network (audited)',
        params: networkParams,
        body: z.strictObject({ name: nameSchema }),
        response: { 200: networkSchema, ...errors },
      },
    },
    async (request) =>
      renameNetwork(manage(request, request.params.networkId), request.params.networkId, request.body.name),
  );

  app.post(
    '/networks/:networkId/members',
    {
      schema: {
        tags,
        summary: 'An institution joins the network (audited)',
        params: networkParams,
        body: z.strictObject({ institutionId: idParam }),
        response: { 201: networkSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { networkId } = request.params;
      return reply
        .status(201)
        .send(await addMember(manage(request, networkId), networkId, request.body.institutionId));
    },
  );

  app.delete(
    '/networks/:networkId/members/:institutionId',
    {
      schema: {
        tags,
        summary:
          'An institution leaves the network; its history stays and open loans run to their end (NET-2)',
        params: z.object({ networkId: idParam, institutionId: idParam }),
        response: { 200: networkSchema, ...errors },
      },
    },
    async (request) => {
      const { networkId, institutionId } = request.params;
      return removeMember(manage(request, networkId), networkId, institutionId);
    },
  );

  app.put(
    '/networks/:networkId/relations/:ownerInstitutionId/:otherInstitutionId',
    {
      schema: {
        tags,
        summary: 'Sets what the owner allows the other institution (NET-3; audited)',
        params: z.object({ networkId: idParam, ownerInstitutionId: idParam, otherInstitutionId: idParam }),
        body: z.strictObject(relationFlags),
        response: { 200: relationSchema, ...errors },
      },
    },
    async (request) => {
      const { networkId, ownerInstitutionId, otherInstitutionId } = request.params;
      return setRelation(
        manage(request, networkId),
        networkId,
        ownerInstitutionId,
        otherInstitutionId,
        request.body,
      );
    },
  );

  app.post(
    '/networks/:networkId/administrators',
    {
      schema: {
        tags,
        summary: 'Makes a staff member of a member institution a network administrator (audited)',
        params: networkParams,
        body: z.strictObject({ staffId: idParam }),
        response: {
          201: z.object({
            id: z.uuid(),
            staffId: z.uuid(),
            role: z.literal('network_administrator'),
            networkId: z.uuid(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { networkId } = request.params;
      return reply
        .status(201)
        .send(await addNetworkAdministrator(manage(request, networkId), networkId, request.body.staffId));
    },
  );
}
