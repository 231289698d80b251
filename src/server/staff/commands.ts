import type { Transaction } from 'kysely';
import { can, type StaffActor } from '../auth/authorize.ts';
import { hashPassword } from '../auth/passwords.ts';
import { ADMINISTRATIVE_PRIVILEGES, ROLE_PRIVILEGES, type Role } from '../auth/privileges.ts';
import { changingAccess } from '../auth/sessions.ts';
import { hashToken, newSecret } from '../auth/tokens.ts';
import type { CommandContext } from '../config/commands.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { recordAudit } from '../shared/audit.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { invalidFields } from '../shared/validation.ts';

export interface StaffInput {
  username: string;
  name: string;
  email?: string | null;
  password: string;
}

export interface StaffChanges {
  name?: string;
  email?: string | null;
  active?: boolean;
  password?: string;
}

async function presentStaff(db: Db | Transaction<Database>, institutionId: string, staffId?: string) {
  let query = db
    .selectFrom('staff')
    .select(['id', 'institution_id', 'username', 'name', 'email', 'active', 'created_at'])
    .where('institution_id', '=', institutionId)
    .orderBy('username');
  if (staffId) query = query.where('id', '=', staffId);
  const rows = await query.execute();
  const roles = rows.length
    ? await db
        .selectFrom('role_assignments')
        .select(['id', 'staff_id', 'role', 'institution_id', 'library_id', 'desk_id', 'network_id'])
        .where(
          'staff_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('role')
        .execute()
    : [];
  return rows.map((r) => ({
    id: r.id,
    institutionId: r.institution_id,
    username: r.username,
    name: r.name,
    email: r.email,
    active: r.active,
    createdAt: r.created_at.toISOString(),
    roles: roles
      .filter((a) => a.staff_id === r.id)
      .map((a) => ({
        id: a.id,
        role: a.role as Role,
        institutionId: a.institution_id,
        libraryId: a.library_id,
        deskId: a.desk_id,
        networkId: a.network_id,
      })),
  }));
}

export const listStaff = (db: Db, institutionId: string) => presentStaff(db, institutionId);

export async function getStaff(db: Db | Transaction<Database>, institutionId: string, staffId: string) {
  const [staff] = await presentStaff(db, institutionId, staffId);
  if (!staff) throw notFound('STAFF_NOT_FOUND', 'No such staff account in this institution.', { staffId });
  return staff;
}

export async function createStaff(ctx: CommandContext, institutionId: string, input: StaffInput) {
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('staff')
      .values({
        institution_id: institutionId,
        username: input.username,
        name: input.name,
        email: input.email ?? null,
        password_hash: passwordHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const staff = await getStaff(trx, institutionId, row.id);
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'create',
      entityType: 'staff',
      entityId: row.id,
      after: staff,
    });
    return staff;
  });
}

export async function updateStaff(
  ctx: CommandContext,
  institutionId: string,
  staffId: string,
  changes: StaffChanges,
) {
  const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
  return changingAccess(ctx.db, () =>
    ctx.db.transaction().execute(async (trx) => {
      const before = await getStaff(trx, institutionId, staffId);
      const values = {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
        updated_at: new Date(),
      };
      await trx
        .updateTable('staff')
        .set(values)
        .where('id', '=', staffId)
        .where('institution_id', '=', institutionId)
        .execute();
      // Deactivating an account or setting a new password ends its sessions at once.
      if (changes.active === false || passwordHash) {
        await trx.deleteFrom('sessions').where('staff_id', '=', staffId).execute();
      }
      const after = await getStaff(trx, institutionId, staffId);
      await recordAudit(trx, {
        actor: ctx.actor,
        requestId: ctx.requestId,
        institutionId,
        action: 'update',
        entityType: 'staff',
        entityId: staffId,
        before,
        after: { ...after, ...(passwordHash ? { passwordChanged: true } : {}) },
      });
      return after;
    }),
  );
}

/**
 * Grants a role at this institution, optionally limited to one library or desk of it. The
 * staff member may belong to another institution (a shared employee).
 */
export async function assignRole(
  ctx: CommandContext,
  institutionId: string,
  staffId: string,
  input: { role: Exclude<Role, 'network_administrator'>; libraryId?: string | null; deskId?: string | null },
) {
  // Nobody hands out administrative powers they do not hold: a user administrator gives desk
  // and patron roles, but cannot make anyone (themselves included) a system administrator.
  const missing = ROLE_PRIVILEGES[input.role].filter(
    (p) => ADMINISTRATIVE_PRIVILEGES.has(p) && !can(ctx.actor, p, { institutionId }),
  );
  if (missing.length > 0) {
    throw forbidden(
      'ROLE_ABOVE_YOUR_OWN',
      `You cannot grant ${input.role}: it carries administrative privileges you do not hold here.`,
      { missing },
    );
  }
  return changingAccess(ctx.db, () =>
    ctx.db.transaction().execute(async (trx) => {
      const staff = await trx
        .selectFrom('staff')
        .select(['id', 'institution_id'])
        .where('id', '=', staffId)
        .executeTakeFirst();
      if (!staff) throw notFound('STAFF_NOT_FOUND', 'No such staff account.', { staffId });
      const problems = [];
      let libraryId = input.libraryId ?? null;
      if (input.deskId) {
        const desk = await trx
          .selectFrom('circulation_desks')
          .select(['library_id', 'institution_id'])
          .where('id', '=', input.deskId)
          .executeTakeFirst();
        if (!desk || desk.institution_id !== institutionId)
          problems.push({ field: 'deskId', message: 'is not a desk of this institution' });
        else if (libraryId && libraryId !== desk.library_id)
          problems.push({ field: 'deskId', message: 'is not a desk of that library' });
        else libraryId = desk.library_id;
      }
      if (libraryId && problems.length === 0) {
        const library = await trx
          .selectFrom('libraries')
          .select('institution_id')
          .where('id', '=', libraryId)
          .executeTakeFirst();
        if (!library || library.institution_id !== institutionId)
          problems.push({ field: 'libraryId', message: 'is not a library of this institution' });
      }
      if (problems.length) throw invalidFields(problems);
      const row = await trx
        .insertInto('role_assignments')
        .values({
          staff_id: staffId,
          role: input.role,
          institution_id: institutionId,
          library_id: libraryId,
          desk_id: input.deskId ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const after = { staffId, role: input.role, institutionId, libraryId, deskId: input.deskId ?? null };
      await recordAudit(trx, {
        actor: ctx.actor,
        requestId: ctx.requestId,
        institutionId,
        action: 'create',
        entityType: 'role_assignment',
        entityId: row.id,
        after,
      });
      return getStaff(trx, staff.institution_id, staffId);
    }),
  );
}

export async function revokeRole(
  ctx: CommandContext,
  institutionId: string,
  staffId: string,
  assignmentId: string,
) {
  return changingAccess(ctx.db, () =>
    ctx.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('role_assignments')
        .where('id', '=', assignmentId)
        .where('staff_id', '=', staffId)
        .where('institution_id', '=', institutionId)
        .returning(['role', 'library_id', 'desk_id'])
        .executeTakeFirst();
      if (!removed)
        throw notFound('ROLE_ASSIGNMENT_NOT_FOUND', 'No such role assignment at this institution.', {
          assignmentId,
        });
      await recordAudit(trx, {
        actor: ctx.actor,
        requestId: ctx.requestId,
        institutionId,
        action: 'delete',
        entityType: 'role_assignment',
        entityId: assignmentId,
        before: { staffId, role: removed.role, libraryId: removed.library_id, deskId: removed.desk_id },
      });
    }),
  );
}

/** An API token for scripts, acting as the staff member who made it. Shown once; only its hash is kept. */
export async function createApiToken(db: Db, actor: StaffActor, name: string) {
  const token = newSecret('ss_');
  const row = await db
    .insertInto('api_tokens')
    .values({ staff_id: actor.staffId, name, token_hash: hashToken(token) })
    .returning(['id', 'name', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString(), token };
}

export async function listApiTokens(db: Db, actor: StaffActor) {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('staff_id', '=', actor.staffId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

export async function revokeApiToken(db: Db, actor: StaffActor, tokenId: string) {
  const row = await changingAccess(db, () =>
    db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', tokenId)
      .where('staff_id', '=', actor.staffId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst(),
  );
  if (!row) throw notFound('API_TOKEN_NOT_FOUND', 'No such active API token of yours.', { tokenId });
}
