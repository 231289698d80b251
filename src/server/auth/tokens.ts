import { createHash, randomBytes } from 'node:crypto';

/** A random secret for a session cookie, an API token or an anti-forgery token. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Only hashes of session and API tokens are stored, so a database leak reveals no live token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
