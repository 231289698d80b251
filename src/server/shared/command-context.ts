import { type Actor, authorize, type Scope, type StaffActor } from '../auth/authorize.ts';
import type { Privilege } from '../auth/privileges.ts';
import type { Db } from '../db/database.ts';

/** What a use case acting for a staff member needs: the database, who, and the request id for the audit trail. */
export interface CommandContext {
  db: Db;
  actor: StaffActor;
  requestId: string;
}

/** The part of a request a use case's context is made from. */
export interface ActorRequest {
  actor: Actor | null;
  id: string;
}

/** Authorizes the request's actor for the privilege in the scope and makes the use case's context. */
export function authorizedContext(
  db: Db,
  request: ActorRequest,
  privilege: Privilege,
  scope: Scope,
): CommandContext {
  return { db, actor: authorize(request.actor, privilege, scope), requestId: request.id };
}
