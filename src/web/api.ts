/**
 * The one way the web UI talks to the Shelfshare API.
 *
 * Every request sends and reads JSON with same-origin credentials (the session is a cookie).
 * Every non-GET request carries the `x-csrf-token` header with the token last received from a
 * sign-in or from GET /api/auth/session. The token lives only in memory: after a page reload the
 * first non-GET request fetches the session once to learn it again.
 * API errors are JSON `{ code, message, details }` (architecture.md, "Errors") and surface as
 * an {@link ApiError}.
 */

/** An error answered by the API (or a network failure, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export type UserKind = 'staff' | 'patron';

export interface SessionUser {
  kind: UserKind;
  id: string;
  name: string;
  username?: string;
  institutionId: string;
  institutionCode: string;
}

export interface SessionDesk {
  id: string;
  code: string;
  name: string;
  libraryId: string;
  libraryName: string;
  institutionId: string;
  institutionCode: string;
  institutionName: string;
}

export interface InstitutionAbilities {
  institutionId: string;
  code: string;
  name: string;
  privileges: string[];
}

export interface NetworkAbilities {
  networkId: string;
  code: string;
  name: string;
  privileges: string[];
}

export interface SessionView {
  user: SessionUser;
  /** Null when the session is not cookie based (an API token): then there is nothing to send. */
  csrfToken: string | null;
  desk: SessionDesk | null;
  abilities: { institutions: InstitutionAbilities[]; networks: NetworkAbilities[] };
}

export interface PublicInstitution {
  id: string;
  code: string;
  name: string;
  timeZone: string;
  currency: string;
}

export interface PublicLibrary {
  id: string;
  code: string;
  name: string;
  address: string | null;
  servesOtherInstitutions: boolean;
}

export interface PublicInstitutionDetail extends PublicInstitution {
  libraries: PublicLibrary[];
}

export interface Desk {
  id: string;
  code: string;
  name: string;
  libraryId: string;
  libraryName: string;
}

let csrfToken: string | null = null;

/** The CSRF token currently held in memory (null before sign-in or a session read). */
export function currentCsrfToken(): string | null {
  return csrfToken;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  /** Do not look up the session for a CSRF token first (sign-in has no session yet). */
  skipCsrfLookup?: boolean;
  signal?: AbortSignal;
}

/** Sends one request to the API and returns its parsed JSON body (undefined for 204). */
export async function apiRequest<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    if (csrfToken === null && !options.skipCsrfLookup) await refreshCsrfToken();
    if (csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'NETWORK_ERROR',
      'The server could not be reached. Check your connection and try again.',
    );
  }

  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }

  if (!response.ok) throw toApiError(response, body);
  return body as T;
}

function toApiError(response: Response, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null) {
    const { code, message, details } = body as { code?: unknown; message?: unknown; details?: unknown };
    return new ApiError(
      response.status,
      typeof code === 'string' ? code : `HTTP_${response.status}`,
      typeof message === 'string' && message !== '' ? message : defaultMessage(response),
      details,
    );
  }
  return new ApiError(response.status, `HTTP_${response.status}`, defaultMessage(response));
}

function defaultMessage(response: Response): string {
  return `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
}

/** Reads the session only to learn its CSRF token; no session means no token. */
async function refreshCsrfToken(): Promise<void> {
  try {
    await getSession();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
}

function remember(session: SessionView): SessionView {
  csrfToken = session.csrfToken;
  return session;
}

// --- Auth ---------------------------------------------------------------------------------

/** The current session; throws ApiError 401 (UNAUTHENTICATED) when nobody is signed in. */
export async function getSession(signal?: AbortSignal): Promise<SessionView> {
  try {
    return remember(await apiRequest<SessionView>('GET', '/api/auth/session', { signal }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) csrfToken = null;
    throw error;
  }
}

/** The current session, or null when nobody is signed in. */
export async function getSessionOrNull(signal?: AbortSignal): Promise<SessionView | null> {
  try {
    return await getSession(signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function signIn(username: string, password: string): Promise<SessionView> {
  return remember(
    await apiRequest<SessionView>('POST', '/api/auth/sign-in', {
      body: { username, password },
      skipCsrfLookup: true,
    }),
  );
}

export async function patronSignIn(
  institution: string,
  identifier: string,
  password: string,
): Promise<SessionView> {
  return remember(
    await apiRequest<SessionView>('POST', '/api/auth/patron-sign-in', {
      body: { institution, identifier, password },
      skipCsrfLookup: true,
    }),
  );
}

export async function signOut(): Promise<void> {
  try {
    await apiRequest<void>('POST', '/api/auth/sign-out');
  } finally {
    csrfToken = null;
    forgetDeskWorkingLists();
  }
}

/**
 * The desk screens keep their session lists (what was scanned, with borrowers' names) in
 * sessionStorage under `shelfshare.desk.`; the next person at a shared desk must not see them.
 */
function forgetDeskWorkingLists(): void {
  try {
    const keys = Object.keys(window.sessionStorage).filter((k) => k.startsWith('shelfshare.desk.'));
    for (const key of keys) window.sessionStorage.removeItem(key);
  } catch {
    // Storage blocked: there is nothing kept to forget.
  }
}

export async function chooseDesk(deskId: string): Promise<SessionView> {
  return remember(await apiRequest<SessionView>('PUT', '/api/auth/session/desk', { body: { deskId } }));
}

// --- Public and staff reference data ------------------------------------------------------

export function listPublicInstitutions(signal?: AbortSignal): Promise<PublicInstitution[]> {
  return apiRequest<PublicInstitution[]>('GET', '/api/public/institutions', { signal });
}

export function getPublicInstitution(code: string, signal?: AbortSignal): Promise<PublicInstitutionDetail> {
  return apiRequest<PublicInstitutionDetail>('GET', `/api/public/institutions/${encodeURIComponent(code)}`, {
    signal,
  });
}

export function listDesks(institutionId: string, signal?: AbortSignal): Promise<Desk[]> {
  return apiRequest<Desk[]>('GET', `/api/institutions/${encodeURIComponent(institutionId)}/desks`, {
    signal,
  });
}

// --- Catalogue search (GET-1) ----------------------------------------------------------------

/** What a discovery visitor searches for: the parameters of GET /api/search. */
export interface CatalogueSearchParams {
  q: string;
  /** Institution codes: only their copies count. */
  institutions?: string[];
  /** Only works with a copy on the shelf. */
  available?: boolean;
  yearFrom?: number;
  yearTo?: number;
  page?: number;
  pageSize?: number;
}

/** A member holding a work, with its copies and how many are on the shelf. */
export interface WorkHolder {
  institutionId: string;
  institutionCode: string;
  institutionName: string;
  bibId: string;
  itemCount: number;
  availableCount: number;
}

/** One work found: the best-matching record describes it; every holding member is listed. */
export interface WorkResult {
  workKey: string;
  title: string;
  subtitle: string;
  author: string;
  publicationYear: number | null;
  format: string;
  isbns: string[];
  score: number;
  holders: WorkHolder[];
}

export interface SearchResults {
  total: number;
  page: number;
  pageSize: number;
  results: WorkResult[];
}

/** Searches the whole network catalogue (public, no sign-in needed). */
export function searchCatalogue(params: CatalogueSearchParams, signal?: AbortSignal): Promise<SearchResults> {
  const query = new URLSearchParams();
  query.set('q', params.q);
  if (params.institutions?.length) query.set('institution', params.institutions.join(','));
  if (params.available) query.set('available', 'true');
  if (params.yearFrom !== undefined) query.set('yearFrom', String(params.yearFrom));
  if (params.yearTo !== undefined) query.set('yearTo', String(params.yearTo));
  if (params.page !== undefined) query.set('page', String(params.page));
  if (params.pageSize !== undefined) query.set('pageSize', String(params.pageSize));
  return apiRequest<SearchResults>('GET', `/api/search?${query.toString()}`, { signal });
}

/** A message fit to show a user for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}

/** True for the AbortError thrown when an effect's request is cancelled. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
