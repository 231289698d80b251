/**
 * Typed errors with stable codes. Use cases throw them; one handler (shared/http-errors.ts)
 * maps the kind to an HTTP status and the body `{ code, message, details }`.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'refused'
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: unknown = undefined,
    readonly kind: ErrorKind = 'internal',
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, details, 'bad_request');
export const unauthenticated = (message = 'Sign in first.', code = 'UNAUTHENTICATED') =>
  new AppError(code, message, undefined, 'unauthenticated');
export const forbidden = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, details, 'forbidden');
export const notFound = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, details, 'not_found');
export const conflict = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, details, 'conflict');
/** Refused by a business rule (422); `details.reasons` lists every reason at once. */
export const refused = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, details, 'refused');

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  refused: 422,
  internal: 500,
};

/** Ends a command-line process with a one-line reason (and the stable code when there is one). */
export function exitWithError(error: unknown): never {
  if (error instanceof AppError) console.error(`${error.code}: ${error.message}`);
  else console.error(error);
  process.exit(1);
}
