import { forbidden, unauthenticated } from '../shared/errors.ts';
import {
  INSTITUTION_WIDE_READS,
  PRIVILEGES,
  type Privilege,
  ROLE_PRIVILEGES,
  type RoleAssignment,
} from './privileges.ts';

export interface StaffActor {
  kind: 'staff';
  staffId: string;
  username: string;
  name: string;
  /** The institution where the account was created. */
  homeInstitutionId: string;
  assignments: RoleAssignment[];
  /** `session` (cookie, needs the anti-forgery token on writes) or `token` (API token). */
  via: 'session' | 'token';
  sessionTokenHash: string | null;
  deskId: string | null;
}

export interface PatronActor {
  kind: 'patron';
  patronId: string;
  name: string;
  institutionId: string;
  sessionTokenHash: string;
}

export type Actor = StaffActor | PatronActor;

/** Where an action happens: an institution (optionally one library or desk of it) or a network. */
export type Scope = { institutionId: string; libraryId?: string; deskId?: string } | { networkId: string };

/**
 * Whether an assignment acts in the scope for the privilege. A role limited to a library (or
 * a desk) acts only there, except for reading: its holder needs the institution's
 * configuration and patrons to work at that library at all.
 */
export function assignmentCovers(a: RoleAssignment, privilege: Privilege, scope: Scope): boolean {
  if (!ROLE_PRIVILEGES[a.role].includes(privilege)) return false;
  if ('networkId' in scope) return a.networkId === scope.networkId;
  if (a.institutionId !== scope.institutionId) return false;
  if (INSTITUTION_WIDE_READS.has(privilege)) return true;
  if (a.libraryId && a.libraryId !== scope.libraryId) return false;
  if (a.deskId && a.deskId !== scope.deskId) return false;
  return true;
}

/** Whether the actor holds the privilege in the scope. Pure; the one rule of authorization. */
export function can(actor: Actor | null, privilege: Privilege, scope: Scope): boolean {
  if (actor?.kind !== 'staff') return false;
  return actor.assignments.some((a) => assignmentCovers(a, privilege, scope));
}

/** The privileges the actor holds in the scope, in the table's order (the UI's abilities). */
export function privilegesIn(actor: Actor | null, scope: Scope): Privilege[] {
  return PRIVILEGES.filter((p) => can(actor, p, scope));
}

/**
 * The one authorization check used by every staff route: 401 without a signed-in actor,
 * 403 when the actor lacks the privilege in the scope.
 */
export function authorize(actor: Actor | null, privilege: Privilege, scope: Scope): StaffActor {
  if (!actor) throw unauthenticated();
  if (actor.kind !== 'staff' || !can(actor, privilege, scope)) {
    throw forbidden('FORBIDDEN', `You do not have the ${privilege} privilege here.`, { privilege, scope });
  }
  return actor;
}

/** Any signed-in staff member (e.g. to read the list of their own abilities). */
export function requireStaff(actor: Actor | null): StaffActor {
  if (!actor) throw unauthenticated();
  if (actor.kind !== 'staff') throw forbidden('STAFF_ONLY', 'Only staff may do this.');
  return actor;
}

export function requirePatron(actor: Actor | null): PatronActor {
  if (!actor) throw unauthenticated();
  if (actor.kind !== 'patron') throw forbidden('PATRONS_ONLY', 'Only a signed-in patron may do this.');
  return actor;
}
