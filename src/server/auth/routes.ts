import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { type RouteApp, SESSION_COOKIE } from '../http/app.ts';
import { unauthenticated } from '../shared/errors.ts';
import { errorBodySchema } from '../shared/http-errors.ts';
import { requireStaff } from './authorize.ts';
import {
  chooseDesk,
  presentSession,
  SESSION_TTL_MS,
  signInPatron,
  signInStaff,
  signOut,
} from './sessions.ts';

const sessionViewSchema = z
  .object({
    user: z.object({
      kind: z.enum(['staff', 'patron']),
      id: z.uuid(),
      name: z.string(),
      username: z.string().optional(),
      institutionId: z.uuid(),
      institutionCode: z.string(),
    }),
    csrfToken: z
      .string()
      .nullable()
      .describe('Send it as the x-csrf-token header on every write made with the session cookie'),
    desk: z
      .object({
        id: z.uuid(),
        code: z.string(),
        name: z.string(),
        libraryId: z.uuid(),
        libraryName: z.string(),
        institutionId: z.uuid(),
        institutionCode: z.string(),
        institutionName: z.string(),
      })
      .nullable(),
    abilities: z.object({
      institutions: z.array(
        z.object({
          institutionId: z.uuid(),
          code: z.string(),
          name: z.string(),
          privileges: z.array(z.string()),
        }),
      ),
      networks: z.array(
        z.object({
          networkId: z.uuid(),
          code: z.string(),
          name: z.string(),
          privileges: z.array(z.string()),
        }),
      ),
    }),
  })
  .meta({ id: 'Session' });

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

export function registerAuthRoutes(app: RouteApp, deps: { db: Db; secureCookies: boolean }) {
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.secureCookies,
    maxAge: SESSION_TTL_MS / 1000,
  };

  app.post(
    '/auth/sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Staff sign-in with username and password; sets the session cookie',
        security: [],
        body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
        response: { 200: sessionViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const session = await signInStaff(deps.db, request.body.username, request.body.password);
      reply.setCookie(SESSION_COOKIE, session.token, cookieOptions);
      return presentSession(deps.db, session.actor, session.csrfToken);
    },
  );

  app.post(
    '/auth/patron-sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Patron sign-in to discovery: institution code, identifier and discovery password',
        security: [],
        body: z.object({
          institution: z.string().min(1).max(32),
          identifier: z.string().min(1).max(100),
          password: z.string().min(1).max(200),
        }),
        response: { 200: sessionViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institution, identifier, password } = request.body;
      const session = await signInPatron(deps.db, institution, identifier, password);
      reply.setCookie(SESSION_COOKIE, session.token, cookieOptions);
      return presentSession(deps.db, session.actor, session.csrfToken);
    },
  );

  app.get(
    '/auth/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, the current desk, the anti-forgery token and the abilities',
        response: { 200: sessionViewSchema, 401: errorBodySchema },
      },
    },
    async (request) => {
      if (!request.actor) throw unauthenticated();
      return presentSession(deps.db, request.actor, request.sessionCsrfToken);
    },
  );

  app.post(
    '/auth/sign-out',
    {
      schema: {
        tags: ['auth'],
        summary: 'Ends the session',
        response: { 204: z.null(), 401: errorBodySchema, 403: errorBodySchema },
      },
    },
    async (request, reply) => {
      if (!request.actor) throw unauthenticated();
      await signOut(deps.db, request.actor);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/auth/session/desk',
    {
      schema: {
        tags: ['auth'],
        summary: 'Chooses the circulation desk (and with it the institution) of this session',
        body: z.object({ deskId: z.uuid() }),
        response: { 200: sessionViewSchema, ...errors },
      },
    },
    async (request) => {
      const actor = requireStaff(request.actor);
      await chooseDesk(deps.db, actor, request.body.deskId);
      return presentSession(deps.db, { ...actor, deskId: request.body.deskId }, request.sessionCsrfToken);
    },
  );
}
