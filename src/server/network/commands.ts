import type { Transaction } from 'kysely';
import { can, type StaffActor } from '../auth/authorize.ts';
import { changingAccess } from '../auth/sessions.ts';
import type { CommandContext } from '../config/commands.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { recordAudit } from '../shared/audit.ts';
import { conflict, forbidden, notFound } from '../shared/errors.ts';
import { invalidFields } from '../shared/validation.ts';

export interface RelationFlags {
  walkInLoans: boolean;
  pickup: boolean;
  returnAnywhere: boolean;
}

/** NET-3 default: everything is allowed between members unless a relation row says otherwise. */
export const DEFAULT_RELATION: RelationFlags = { walkInLoans: true, pickup: true, returnAnywhere: true };

async function loadNetwork(db: Db | Transaction<Database>, networkId: string, lock = false) {
  let query = db.selectFrom('networks').selectAll().where('id', '=', networkId);
  if (lock) query = query.forUpdate();
  const network = await query.executeTakeFirst();
  if (!network) throw notFound('NETWORK_NOT_FOUND', 'No such network.', { networkId });
  return network;
}

/** The networks a staff member deals with: those of institutions where they have a role, and those they administer. */
export async function listNetworksFor(db: Db, actor: StaffActor) {
  const institutionIds = actor.assignments.flatMap((a) => (a.institutionId ? [a.institutionId] : []));
  const networkIds = actor.assignments.flatMap((a) => (a.networkId ? [a.networkId] : []));
  if (institutionIds.length === 0 && networkIds.length === 0) return [];
  return db
    .selectFrom('networks as n')
    .select(['n.id', 'n.code', 'n.name'])
    .where((eb) =>
      eb.or([
        ...(networkIds.length ? [eb('n.id', 'in', networkIds)] : []),
        ...(institutionIds.length
          ? [
              eb.exists(
                eb
                  .selectFrom('network_members as m')
                  .select('m.id')
                  .whereRef('m.network_id', '=', 'n.id')
                  .where('m.institution_id', 'in', institutionIds),
              ),
            ]
          : []),
      ]),
    )
    .orderBy('n.name')
    .execute();
}

/**
 * Staff may read a network they administer or one their institution is a current member
 * of; others are refused before anything about the network is looked up.
 */
export async function authorizeNetworkRead(db: Db, actor: StaffActor, networkId: string): Promise<void> {
  if (can(actor, 'network.manage', { networkId })) return;
  const institutionIds = actor.assignments.flatMap((a) => (a.institutionId ? [a.institutionId] : []));
  const membership = institutionIds.length
    ? await db
        .selectFrom('network_members')
        .select('id')
        .where('network_id', '=', networkId)
        .where('institution_id', 'in', institutionIds)
        .where('left_at', 'is', null)
        .executeTakeFirst()
    : undefined;
  if (!membership)
    throw forbidden('FORBIDDEN', 'You may read only networks your institution belongs to.', { networkId });
}

/** A network with its membership history (NET-2) and its relations, defaults filled in (NET-3). */
export async function getNetwork(db: Db | Transaction<Database>, networkId: string) {
  const network = await loadNetwork(db, networkId);
  const members = await db
    .selectFrom('network_members as m')
    .innerJoin('institutions as i', 'i.id', 'm.institution_id')
    .select(['i.id as institutionId', 'i.code', 'i.name', 'm.joined_at', 'm.left_at'])
    .where('m.network_id', '=', networkId)
    .orderBy('i.name')
    .orderBy('m.joined_at')
    .execute();
  const current = members.filter((m) => m.left_at === null);
  const stored = await db
    .selectFrom('network_relations')
    .selectAll()
    .where('network_id', '=', networkId)
    .execute();
  const relations = [];
  for (const owner of current) {
    for (const other of current) {
      if (owner.institutionId === other.institutionId) continue;
      const row = stored.find(
        (r) =>
          r.owner_institution_id === owner.institutionId && r.other_institution_id === other.institutionId,
      );
      relations.push({
        ownerInstitutionId: owner.institutionId,
        otherInstitutionId: other.institutionId,
        ...(row
          ? { walkInLoans: row.walk_in_loans, pickup: row.pickup, returnAnywhere: row.return_anywhere }
          : DEFAULT_RELATION),
      });
    }
  }
  return {
    id: network.id,
    code: network.code,
    name: network.name,
    members: members.map((m) => ({
      institutionId: m.institutionId,
      code: m.code,
      name: m.name,
      joinedAt: m.joined_at.toISOString(),
      leftAt: m.left_at ? m.left_at.toISOString() : null,
    })),
    relations,
  };
}

export async function renameNetwork(ctx: CommandContext, networkId: string, name: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const before = await loadNetwork(trx, networkId, true);
    await trx.updateTable('networks').set({ name }).where('id', '=', networkId).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      networkId,
      action: 'update',
      entityType: 'network',
      entityId: networkId,
      before: { name: before.name },
      after: { name },
    });
    return getNetwork(trx, networkId);
  });
}

/**
 * Creates a network with the founding institution as its first member; the creator becomes
 * its network administrator (NET-2).
 */
export async function createNetwork(
  ctx: CommandContext,
  input: { code: string; name: string; foundingInstitutionId: string },
) {
  return changingAccess(ctx.db, () =>
    ctx.db.transaction().execute(async (trx) => {
      const network = await trx
        .insertInto('networks')
        .values({ code: input.code, name: input.name })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('network_members')
        .values({ network_id: network.id, institution_id: input.foundingInstitutionId })
        .execute();
      await trx
        .insertInto('role_assignments')
        .values({ staff_id: ctx.actor.staffId, role: 'network_administrator', network_id: network.id })
        .execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        requestId: ctx.requestId,
        networkId: network.id,
        institutionId: input.foundingInstitutionId,
        action: 'create',
        entityType: 'network',
        entityId: network.id,
        after: { code: network.code, name: network.name, foundingInstitutionId: input.foundingInstitutionId },
      });
      return getNetwork(trx, network.id);
    }),
  );
}

/** NET-2: an institution joins a network (again, possibly: history is kept). */
export async function addMember(ctx: CommandContext, networkId: string, institutionId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    await loadNetwork(trx, networkId, true);
    const institution = await trx
      .selectFrom('institutions')
      .select('id')
      .where('id', '=', institutionId)
      .executeTakeFirst();
    if (!institution) throw invalidFields([{ field: 'institutionId', message: 'is not an institution' }]);
    const open = await trx
      .selectFrom('network_members')
      .select('id')
      .where('network_id', '=', networkId)
      .where('institution_id', '=', institutionId)
      .where('left_at', 'is', null)
      .executeTakeFirst();
    if (open)
      throw conflict('ALREADY_A_MEMBER', 'The institution is already a member of this network.', {
        institutionId,
      });
    await trx
      .insertInto('network_members')
      .values({ network_id: networkId, institution_id: institutionId })
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      networkId,
      institutionId,
      action: 'create',
      entityType: 'network_member',
      entityId: `${networkId}:${institutionId}`,
      after: { institutionId },
    });
    return getNetwork(trx, networkId);
  });
}

/**
 * NET-2: an institution leaves. Its membership row is closed, not deleted, so history stays;
 * open loans and requests run to their end (the circulation rules check membership only
 * when something new starts).
 */
export async function removeMember(ctx: CommandContext, networkId: string, institutionId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    await loadNetwork(trx, networkId, true);
    const closed = await trx
      .updateTable('network_members')
      .set({ left_at: new Date() })
      .where('network_id', '=', networkId)
      .where('institution_id', '=', institutionId)
      .where('left_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!closed)
      throw notFound('NOT_A_MEMBER', 'The institution is not a member of this network.', { institutionId });
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      networkId,
      institutionId,
      action: 'delete',
      entityType: 'network_member',
      entityId: `${networkId}:${institutionId}`,
      before: { institutionId },
    });
    return getNetwork(trx, networkId);
  });
}

/** NET-3: sets the relation of an ordered pair (owner, other) of current members. */
export async function setRelation(
  ctx: CommandContext,
  networkId: string,
  ownerInstitutionId: string,
  otherInstitutionId: string,
  flags: RelationFlags,
) {
  if (ownerInstitutionId === otherInstitutionId) {
    throw invalidFields([{ field: 'otherInstitutionId', message: 'must be another institution' }]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    await loadNetwork(trx, networkId, true);
    const members = await trx
      .selectFrom('network_members')
      .select('institution_id')
      .where('network_id', '=', networkId)
      .where('left_at', 'is', null)
      .where('institution_id', 'in', [ownerInstitutionId, otherInstitutionId])
      .execute();
    const memberIds = new Set(members.map((m) => m.institution_id));
    const problems = [];
    if (!memberIds.has(ownerInstitutionId))
      problems.push({ field: 'ownerInstitutionId', message: 'is not a member of this network' });
    if (!memberIds.has(otherInstitutionId))
      problems.push({ field: 'otherInstitutionId', message: 'is not a member of this network' });
    if (problems.length) throw invalidFields(problems);
    const before = await trx
      .selectFrom('network_relations')
      .select(['walk_in_loans', 'pickup', 'return_anywhere'])
      .where('network_id', '=', networkId)
      .where('owner_institution_id', '=', ownerInstitutionId)
      .where('other_institution_id', '=', otherInstitutionId)
      .executeTakeFirst();
    const values = {
      walk_in_loans: flags.walkInLoans,
      pickup: flags.pickup,
      return_anywhere: flags.returnAnywhere,
      updated_at: new Date(),
    };
    await trx
      .insertInto('network_relations')
      .values({
        network_id: networkId,
        owner_institution_id: ownerInstitutionId,
        other_institution_id: otherInstitutionId,
        ...values,
      })
      .onConflict((oc) =>
        oc.columns(['network_id', 'owner_institution_id', 'other_institution_id']).doUpdateSet(values),
      )
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      networkId,
      institutionId: ownerInstitutionId,
      action: before ? 'update' : 'create',
      entityType: 'network_relation',
      entityId: `${networkId}:${ownerInstitutionId}:${otherInstitutionId}`,
      before: before
        ? { walkInLoans: before.walk_in_loans, pickup: before.pickup, returnAnywhere: before.return_anywhere }
        : DEFAULT_RELATION,
      after: flags,
    });
    return { ownerInstitutionId, otherInstitutionId, ...flags };
  });
}

/** NET-2: the network administrators; they may add other staff of member institutions. */
export async function addNetworkAdministrator(ctx: CommandContext, networkId: string, staffId: string) {
  return changingAccess(ctx.db, () =>
    ctx.db.transaction().execute(async (trx) => {
      await loadNetwork(trx, networkId, true);
      const staff = await trx
        .selectFrom('staff')
        .select(['id', 'institution_id'])
        .where('id', '=', staffId)
        .executeTakeFirst();
      if (!staff) throw invalidFields([{ field: 'staffId', message: 'is not a staff account' }]);
      const member = await trx
        .selectFrom('network_members')
        .select('id')
        .where('network_id', '=', networkId)
        .where('institution_id', '=', staff.institution_id)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      if (!member)
        throw invalidFields([
          { field: 'staffId', message: 'belongs to an institution outside this network' },
        ]);
      const row = await trx
        .insertInto('role_assignments')
        .values({ staff_id: staffId, role: 'network_administrator', network_id: networkId })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: ctx.actor,
        requestId: ctx.requestId,
        networkId,
        action: 'create',
        entityType: 'role_assignment',
        entityId: row.id,
        after: { staffId, role: 'network_administrator', networkId },
      });
      return { id: row.id, staffId, role: 'network_administrator' as const, networkId };
    }),
  );
}
