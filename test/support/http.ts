import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { buildApp } from '../../src/server/http/app.ts';
import { createTestDatabase } from './database.ts';
import { TEST_PASSWORD } from './factories.ts';

export interface TestApp {
  app: FastifyInstance;
  database: OpenedDatabase;
  close(): Promise<void>;
}

/** The real app on a fresh migrated database of this project's engine, driven with app.inject(). */
export async function createTestApp(): Promise<TestApp> {
  const database = await createTestDatabase();
  const app = await buildApp({ db: database.db, engine: database.engine });
  await app.ready();
  return {
    app,
    database,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A signed-in browser-like client: session cookie plus the anti-forgery header on writes. */
export interface Client {
  request(
    method: Method,
    url: string,
    body?: unknown,
    extra?: Partial<InjectOptions>,
  ): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
  cookie: string;
  csrfToken: string;
}

function makeClient(
  app: FastifyInstance,
  headers: Record<string, string>,
  cookie = '',
  csrfToken = '',
): Client {
  const request: Client['request'] = (method, url, body, extra = {}) =>
    app.inject({
      method,
      url,
      headers: { ...headers, ...(extra.headers as Record<string, string> | undefined) },
      ...(body !== undefined ? { payload: body as InjectOptions['payload'] } : {}),
    });
  return {
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body ?? {}),
    put: (url, body) => request('PUT', url, body ?? {}),
    patch: (url, body) => request('PATCH', url, body ?? {}),
    delete: (url) => request('DELETE', url),
    cookie,
    csrfToken,
  };
}

export async function signIn(
  app: FastifyInstance,
  username: string,
  password = TEST_PASSWORD,
): Promise<Client> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { username, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`sign-in of ${username} failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'shelfshare_session');
  if (!cookie) throw new Error('no session cookie');
  const csrfToken = response.json().csrfToken as string;
  const cookieHeader = `shelfshare_session=${cookie.value}`;
  return makeClient(app, { cookie: cookieHeader, 'x-csrf-token': csrfToken }, cookieHeader, csrfToken);
}

export function anonymous(app: FastifyInstance): Client {
  return makeClient(app, {});
}

export function withBearer(app: FastifyInstance, token: string): Client {
  return makeClient(app, { authorization: `Bearer ${token}` });
}
