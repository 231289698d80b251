import { can, type PatronActor, type Scope, type StaffActor } from '../auth/authorize.ts';
import { verifyApprover } from '../auth/sessions.ts';
import type { Db } from '../db/database.ts';
import { forbidden, refused } from '../shared/errors.ts';
import type { DeskRow } from './repository.ts';
import type { Refusal } from './rules/index.ts';

/**
 * What a circulation use case runs with. `now` is injectable so that tests can lend "three
 * weeks ago"; routes leave it out and the real clock is used.
 */
export interface CirculationContext {
  db: Db;
  actor: StaffActor;
  requestId: string;
  now?: Date;
}

export interface PatronContext {
  db: Db;
  actor: PatronActor;
  requestId: string;
  now?: Date;
}

export const clock = (ctx: { now?: Date }) => ctx.now ?? new Date();

export interface OverrideInput {
  codes: string[];
  note?: string;
  /** A manager approving at this desk with their own credentials (the operator lacks the privilege). */
  approver?: { username: string; password: string };
}

/**
 * Who overrides: the operator, or the manager named in `override.approver` once their
 * password is checked. Done before the transaction (the password hash is slow on purpose).
 */
export async function resolveOverrider(
  db: Db,
  operator: StaffActor | null,
  override: OverrideInput | undefined,
): Promise<StaffActor | null> {
  const approver = override?.approver;
  if (!approver) return operator;
  const manager = await verifyApprover(db, approver.username, approver.password);
  if (!manager) {
    throw forbidden('APPROVER_INVALID', "The approving manager's username or password is wrong.", {
      approver: approver.username,
    });
  }
  return manager;
}

/** What the item history records of who approved an override (CIRC-13). */
export const approvedBy = (overrider: StaffActor | null, operator: StaffActor | null) =>
  overrider && operator && overrider.staffId !== operator.staffId
    ? { approvedByStaffId: overrider.staffId, approvedByName: overrider.name }
    : {};

/** A refusal as the API shows it (every reason at once, CIRC-4). */
export const presentRefusal = (r: Refusal) => ({
  code: r.code,
  message: r.message,
  overridable: r.overridable,
  ...(r.details ? { details: r.details } : {}),
});

/**
 * CIRC-4 / CIRC-5: whether the refusals stop the action. None: go ahead. Otherwise the action
 * goes ahead only when every refusal is overridable, the actor holds `circulation.override`
 * in the scope, and the override names every refused code; the codes overridden are returned
 * for the item history. Else 422 `refusedCode` with every reason, or 403 OVERRIDE_NOT_ALLOWED
 * when only the privilege is missing.
 */
export function resolveOverrides(
  refusals: readonly Refusal[],
  override: OverrideInput | undefined,
  actor: StaffActor | null,
  scope: Scope,
  refusedCode: 'LOAN_REFUSED' | 'RENEWAL_REFUSED',
): string[] {
  if (refusals.length === 0) return [];
  const reasons = refusals.map(presentRefusal);
  const codes = [...new Set(refusals.map((r) => r.code))];
  const what = refusedCode === 'LOAN_REFUSED' ? 'The loan' : 'The renewal';
  const message = `${what} is refused: ${refusals.map((r) => r.message).join(' ')}`;
  if (refusals.some((r) => !r.overridable) || !override) throw refused(refusedCode, message, { reasons });
  if (!actor || !can(actor, 'circulation.override', scope)) {
    const who = override.approver ? `${actor?.name ?? 'The approver'} does` : 'You do';
    throw forbidden('OVERRIDE_NOT_ALLOWED', `${who} not have the circulation.override privilege here.`, {
      privilege: 'circulation.override',
      reasons,
    });
  }
  const missing = codes.filter((c) => !override.codes.includes(c));
  if (missing.length > 0) {
    throw refused(refusedCode, `${message} The override does not name ${missing.join(', ')}.`, {
      reasons,
      notOverridden: missing,
    });
  }
  return codes;
}

/** Where a desk operation happens and who does it, as its history entries record it (CIRC-13). */
export function actingAtDesk(desk: DeskRow, actor: StaffActor) {
  return {
    actingInstitutionId: desk.institutionId,
    libraryId: desk.libraryId,
    deskId: desk.id,
    operatorStaffId: actor.staffId,
  };
}
