import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Actor } from '../auth/authorize.ts';
import { registerAuthRoutes } from '../auth/routes.ts';
import { resolveApiToken, resolveSessionToken } from '../auth/sessions.ts';
import { registerCheckRoutes } from '../check/routes.ts';
import { registerCirculationRoutes } from '../circulation/routes.ts';
import { registerConfigRoutes } from '../config/routes.ts';
import { DEFAULT_API_TOKEN_TRUST_SECONDS } from '../config.ts';
import type { Db } from '../db/database.ts';
import { registerFeeRoutes } from '../fees/routes.ts';
import { registerInventoryRoutes } from '../inventory/routes.ts';
import { registerLetterRoutes } from '../letters/routes.ts';
import { registerNetworkRoutes } from '../network/routes.ts';
import { registerPatronRoutes } from '../patrons/routes.ts';
import { registerRequestRoutes } from '../requests/routes.ts';
import { registerSearchRoutes } from '../search/routes.ts';
import { forbidden, unauthenticated } from '../shared/errors.ts';
import { handleError } from '../shared/http-errors.ts';
import { registerStaffRoutes } from '../staff/routes.ts';
import { registerTransitRoutes } from '../transits/routes.ts';
import { registerOperationsRoutes } from './operations-routes.ts';

export const SESSION_COOKIE = 'shelfshare_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, for the OpenAPI completeness test and operators. */
    registeredRoutes: { method: string; url: string }[];
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** The anti-forgery token of the cookie session, when the actor came from a cookie. */
    sessionCsrfToken: string | null;
  }
  interface FastifyContextConfig {
    /** Open to anonymous callers (sign-in, health, discovery); no anti-forgery check either. */
    public?: boolean;
  }
}

export interface AppOptions {
  db: Db;
  engine: 'pglite' | 'postgresql';
  logger?: FastifyServerOptions['logger'];
  /** The built web UI (dist/web); served with a fallback to index.html for client routes. */
  webDir?: string;
  /** Secure cookies (behind HTTPS). */
  secureCookies?: boolean;
  /** How long a resolved API token is trusted (decision 69); default `DEFAULT_API_TOKEN_TRUST_SECONDS`. */
  apiTokenTrustMs?: number;
}

/** The Fastify instance routes are registered on: zod schemas type each handler. */
export type RouteApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 10 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.decorate('registeredRoutes', []);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') app.registeredRoutes.push({ method, url: route.url });
    }
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Shelfshare API',
        description:
          'Circulation for a fulfillment network of libraries. Errors are `{ code, message, details }`.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrf: { type: 'apiKey', in: 'header', name: CSRF_HEADER },
          apiToken: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [], csrf: [] }, { apiToken: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.decorateRequest('actor', null);
  app.decorateRequest('sessionCsrfToken', null);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Who is calling: an API token (scripts) or a session cookie (the UI). Resolved before
  // the body is validated, so an anonymous or forged call is told 401/403, not 400.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const config = request.routeOptions.config;
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      request.actor = await resolveApiToken(options.db, authorization.slice(7).trim(), {
        trustMs: options.apiTokenTrustMs ?? DEFAULT_API_TOKEN_TRUST_SECONDS * 1000,
      });
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      const resolved = cookie ? await resolveSessionToken(options.db, cookie) : null;
      if (resolved) {
        request.actor = resolved.actor;
        request.sessionCsrfToken = resolved.csrfToken;
        // Cookie-authenticated writes must carry the session's anti-forgery token.
        if (
          !SAFE_METHODS.has(request.method) &&
          !config.public &&
          request.headers[CSRF_HEADER] !== resolved.csrfToken
        ) {
          throw forbidden(
            'CSRF_TOKEN_INVALID',
            `A write with a session cookie needs the ${CSRF_HEADER} header of the session.`,
          );
        }
      }
    }
    if (!request.actor && !config.public && request.is404 !== true) throw unauthenticated();
  });

  await app.register(
    async (api) => {
      const routes = api.withTypeProvider<ZodTypeProvider>();
      registerOperationsRoutes(routes, options);
      registerAuthRoutes(routes, { db: options.db, secureCookies: options.secureCookies ?? false });
      registerNetworkRoutes(routes, options);
      registerConfigRoutes(routes, options);
      registerStaffRoutes(routes, options);
      registerPatronRoutes(routes, options);
      registerInventoryRoutes(routes, options);
      registerSearchRoutes(routes, options);
      registerCheckRoutes(routes, options);
      registerCirculationRoutes(routes, options);
      registerRequestRoutes(routes, options);
      registerTransitRoutes(routes, options);
      registerFeeRoutes(routes, options);
      registerLetterRoutes(routes, options);
    },
    { prefix: '/api' },
  );

  app.get(
    '/api/openapi.json',
    {
      config: { public: true },
      schema: { tags: ['operations'], summary: 'This OpenAPI 3 document', security: [] },
    },
    async () => app.swagger(),
  );

  const webDir = options.webDir ? resolve(options.webDir) : undefined;
  if (webDir && existsSync(webDir)) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ['index.html'] });
  }
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && !request.url.startsWith('/api/') && webDir && existsSync(webDir)) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply
      .status(404)
      .send({ code: 'ROUTE_NOT_FOUND', message: `No route ${request.method} ${request.url}` });
  });
  return app;
}
