/**
 * API set-up from Node for the browser tests: a staff member signed in to the API (the session
 * cookie and its CSRF token) and JSON calls made with that session. It stands for work done
 * elsewhere (earlier desk work, other screens), not for the screens under test.
 */
import { expect } from 'vitest';
import { DEMO_PASSWORD } from './desk.ts';

/** A staff member signed in to the API from Node: the session cookie, its CSRF token, the home institution. */
export interface ApiSession {
  cookie: string;
  csrfToken: string;
  institutionId: string;
}

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Signs `username` in to the API at `baseUrl`; the sign-in must succeed. */
export async function apiSignIn(
  baseUrl: string,
  username: string,
  password: string = DEMO_PASSWORD,
): Promise<ApiSession> {
  const response = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(response.status, `sign-in as ${username}`).toBe(200);
  const session = (await response.json()) as { csrfToken: string; user: { institutionId: string } };
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrfToken: session.csrfToken, institutionId: session.user.institutionId };
}

/**
 * Calls `/api${path}` with the session and answers the parsed JSON body (undefined when the
 * answer has none); throws with the status and the body when the answer is not a success.
 */
export async function apiCall<T>(
  baseUrl: string,
  session: ApiSession,
  method: ApiMethod,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers: {
      accept: 'application/json',
      cookie: session.cookie,
      ...(method === 'GET' ? {} : { 'x-csrf-token': session.csrfToken }),
      ...(method === 'GET' || body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (response.status === 204 || text === '' ? undefined : JSON.parse(text)) as T;
}
