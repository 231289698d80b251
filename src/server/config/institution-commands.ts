import type { Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { recordAudit } from '../shared/audit.ts';
import { apiToRow } from '../shared/case.ts';
import { notFound } from '../shared/errors.ts';
import { invalidFields } from '../shared/validation.ts';
import type { CommandContext } from './commands.ts';
import type { CalendarInput, InstitutionUpdate, LibraryRelationInput, TransitTimeInput } from './schemas.ts';

export async function listPublicInstitutions(db: Db) {
  return db
    .selectFrom('institutions')
    .select(['id', 'code', 'name', 'time_zone as timeZone', 'currency'])
    .orderBy('name')
    .execute();
}

export async function getPublicInstitution(db: Db, code: string) {
  const institution = await db
    .selectFrom('institutions')
    .select(['id', 'code', 'name', 'time_zone as timeZone', 'currency'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!institution) throw notFound('INSTITUTION_NOT_FOUND', `No institution with code ${code}.`, { code });
  const libraries = await db
    .selectFrom('libraries')
    .select(['id', 'code', 'name', 'address', 'serves_other_institutions as servesOtherInstitutions'])
    .where('institution_id', '=', institution.id)
    .orderBy('name')
    .execute();
  return { ...institution, libraries };
}

async function loadInstitution(db: Db | Transaction<Database>, institutionId: string, lock = false) {
  let query = db.selectFrom('institutions').selectAll().where('id', '=', institutionId);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('INSTITUTION_NOT_FOUND', 'No such institution.', { institutionId });
  return row;
}

async function presentInstitution(
  db: Db | Transaction<Database>,
  row: Awaited<ReturnType<typeof loadInstitution>>,
) {
  const networks = await db
    .selectFrom('network_members as m')
    .innerJoin('networks as n', 'n.id', 'm.network_id')
    .select(['n.id', 'n.code', 'n.name', 'm.joined_at'])
    .where('m.institution_id', '=', row.id)
    .where('m.left_at', 'is', null)
    .orderBy('n.name')
    .execute();
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    timeZone: row.time_zone,
    currency: row.currency,
    address: row.address,
    email: row.email,
    crossConsortiaIdsEnabled: row.cross_consortia_ids_enabled,
    searchableIdentifierTypes: row.searchable_identifier_types,
    discoveryExposure: row.discovery_exposure,
    remoteRegistrationMode: row.remote_registration_mode,
    acceptsNetworkTitleRequests: row.accepts_network_title_requests,
    preferHomeCopy: row.prefer_home_copy,
    guestUserGroupId: row.guest_user_group_id,
    networks: networks.map((n) => ({
      id: n.id,
      code: n.code,
      name: n.name,
      joinedAt: n.joined_at.toISOString(),
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getInstitution(db: Db, institutionId: string) {
  return presentInstitution(db, await loadInstitution(db, institutionId));
}

/** NET-1, NET-4, NET-5: changes the institution and its network settings, audited (NET-7). */
export async function updateInstitution(
  ctx: CommandContext,
  institutionId: string,
  changes: InstitutionUpdate,
) {
  return ctx.db.transaction().execute(async (trx) => {
    const beforeRow = await loadInstitution(trx, institutionId, true);
    if (changes.guestUserGroupId) {
      const group = await trx
        .selectFrom('user_groups')
        .select('id')
        .where('institution_id', '=', institutionId)
        .where('id', '=', changes.guestUserGroupId)
        .executeTakeFirst();
      if (!group)
        throw invalidFields([
          { field: 'guestUserGroupId', message: 'is not a user group of this institution' },
        ]);
    }
    const values = apiToRow(changes);
    const afterRow =
      Object.keys(values).length === 0
        ? beforeRow
        : await trx
            .updateTable('institutions')
            .set({ ...values, updated_at: new Date() })
            .where('id', '=', institutionId)
            .returningAll()
            .executeTakeFirstOrThrow();
    const before = await presentInstitution(trx, beforeRow);
    const after = await presentInstitution(trx, afterRow);
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'update',
      entityType: 'institution',
      entityId: institutionId,
      before,
      after,
    });
    return after;
  });
}

async function requireLibrary(
  db: Db | Transaction<Database>,
  institutionId: string,
  libraryId: string,
  field = 'libraryId',
) {
  const library = await db
    .selectFrom('libraries')
    .select(['id', 'institution_id'])
    .where('id', '=', libraryId)
    .executeTakeFirst();
  if (!library) throw invalidFields([{ field, message: 'is not a library' }]);
  if (library.institution_id !== institutionId)
    throw invalidFields([{ field, message: 'is not a library of this institution' }]);
  return library;
}

export async function getCalendar(db: Db, institutionId: string, libraryId: string) {
  const library = await db
    .selectFrom('libraries')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('id', '=', libraryId)
    .executeTakeFirst();
  if (!library) throw notFound('LIBRARY_NOT_FOUND', 'No such library in this institution.', { libraryId });
  return loadCalendar(db, libraryId);
}

async function loadCalendar(db: Db | Transaction<Database>, libraryId: string) {
  const openingHours = await db
    .selectFrom('library_opening_hours')
    .select(['weekday', 'opens', 'closes'])
    .where('library_id', '=', libraryId)
    .orderBy('weekday')
    .execute();
  const closedDays = await db
    .selectFrom('library_closed_days')
    .select(['day', 'reason'])
    .where('library_id', '=', libraryId)
    .orderBy('day')
    .execute();
  return {
    openingHours: openingHours.map((h) => ({
      weekday: h.weekday,
      opens: h.opens.slice(0, 5),
      closes: h.closes.slice(0, 5),
    })),
    closedDays,
  };
}

/** NET-6: replaces a library's calendar as a whole (the week's hours and the closed days). */
export async function replaceCalendar(
  ctx: CommandContext,
  institutionId: string,
  libraryId: string,
  calendar: CalendarInput,
) {
  const problems = [];
  const weekdays = new Set<number>();
  for (const [i, h] of calendar.openingHours.entries()) {
    if (weekdays.has(h.weekday))
      problems.push({ field: `openingHours.${i}.weekday`, message: 'appears twice' });
    weekdays.add(h.weekday);
    if (h.closes <= h.opens)
      problems.push({ field: `openingHours.${i}.closes`, message: 'must be after opens' });
  }
  const days = new Set<string>();
  for (const [i, d] of calendar.closedDays.entries()) {
    if (days.has(d.day)) problems.push({ field: `closedDays.${i}.day`, message: 'appears twice' });
    days.add(d.day);
  }
  if (problems.length) throw invalidFields(problems);
  return ctx.db.transaction().execute(async (trx) => {
    const library = await trx
      .selectFrom('libraries')
      .select('id')
      .where('institution_id', '=', institutionId)
      .where('id', '=', libraryId)
      .forUpdate()
      .executeTakeFirst();
    if (!library) throw notFound('LIBRARY_NOT_FOUND', 'No such library in this institution.', { libraryId });
    const before = await loadCalendar(trx, libraryId);
    await trx.deleteFrom('library_opening_hours').where('library_id', '=', libraryId).execute();
    await trx.deleteFrom('library_closed_days').where('library_id', '=', libraryId).execute();
    if (calendar.openingHours.length) {
      await trx
        .insertInto('library_opening_hours')
        .values(calendar.openingHours.map((h) => ({ library_id: libraryId, ...h })))
        .execute();
    }
    if (calendar.closedDays.length) {
      await trx
        .insertInto('library_closed_days')
        .values(calendar.closedDays.map((d) => ({ library_id: libraryId, day: d.day, reason: d.reason })))
        .execute();
    }
    const after = await loadCalendar(trx, libraryId);
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'update',
      entityType: 'library_calendar',
      entityId: libraryId,
      before,
      after,
    });
    return after;
  });
}

export async function listLibraryRelations(db: Db, institutionId: string) {
  return db
    .selectFrom('library_relations')
    .select(['library_id as libraryId', 'for_library_id as forLibraryId', 'lends', 'delivers'])
    .where('institution_id', '=', institutionId)
    .execute();
}

/** NET-6: whether a library lends or delivers for another library of the same institution. */
export async function setLibraryRelation(
  ctx: CommandContext,
  institutionId: string,
  input: LibraryRelationInput,
) {
  if (input.libraryId === input.forLibraryId) {
    throw invalidFields([{ field: 'forLibraryId', message: 'must be another library' }]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    await requireLibrary(trx, institutionId, input.libraryId, 'libraryId');
    await requireLibrary(trx, institutionId, input.forLibraryId, 'forLibraryId');
    const before = await trx
      .selectFrom('library_relations')
      .select(['lends', 'delivers'])
      .where('institution_id', '=', institutionId)
      .where('library_id', '=', input.libraryId)
      .where('for_library_id', '=', input.forLibraryId)
      .executeTakeFirst();
    await trx
      .insertInto('library_relations')
      .values({
        institution_id: institutionId,
        library_id: input.libraryId,
        for_library_id: input.forLibraryId,
        lends: input.lends,
        delivers: input.delivers,
      })
      .onConflict((oc) =>
        oc
          .columns(['institution_id', 'library_id', 'for_library_id'])
          .doUpdateSet({ lends: input.lends, delivers: input.delivers }),
      )
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: before ? 'update' : 'create',
      entityType: 'library_relation',
      entityId: `${input.libraryId}:${input.forLibraryId}`,
      before,
      after: input,
    });
    return input;
  });
}

export async function listTransitTimes(db: Db, institutionId: string) {
  return db
    .selectFrom('transit_times as t')
    .innerJoin('libraries as f', 'f.id', 't.from_library_id')
    .innerJoin('libraries as to', 'to.id', 't.to_library_id')
    .select(['t.from_library_id as fromLibraryId', 't.to_library_id as toLibraryId', 't.days'])
    .where((eb) =>
      eb.or([eb('f.institution_id', '=', institutionId), eb('to.institution_id', '=', institutionId)]),
    )
    .orderBy('t.from_library_id')
    .orderBy('t.to_library_id')
    .execute();
}

/**
 * NET-6: days from one of this institution's libraries to any library, in the network or
 * not. The sending institution owns the figure, since it ships the item.
 */
export async function setTransitTime(ctx: CommandContext, institutionId: string, input: TransitTimeInput) {
  if (input.fromLibraryId === input.toLibraryId) {
    throw invalidFields([{ field: 'toLibraryId', message: 'must be another library' }]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    await requireLibrary(trx, institutionId, input.fromLibraryId, 'fromLibraryId');
    const to = await trx
      .selectFrom('libraries')
      .select('id')
      .where('id', '=', input.toLibraryId)
      .executeTakeFirst();
    if (!to) throw invalidFields([{ field: 'toLibraryId', message: 'is not a library' }]);
    const before = await trx
      .selectFrom('transit_times')
      .select('days')
      .where('from_library_id', '=', input.fromLibraryId)
      .where('to_library_id', '=', input.toLibraryId)
      .executeTakeFirst();
    await trx
      .insertInto('transit_times')
      .values({ from_library_id: input.fromLibraryId, to_library_id: input.toLibraryId, days: input.days })
      .onConflict((oc) => oc.columns(['from_library_id', 'to_library_id']).doUpdateSet({ days: input.days }))
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: before ? 'update' : 'create',
      entityType: 'transit_time',
      entityId: `${input.fromLibraryId}:${input.toLibraryId}`,
      before,
      after: input,
    });
    return input;
  });
}

export async function deleteTransitTime(
  ctx: CommandContext,
  institutionId: string,
  fromLibraryId: string,
  toLibraryId: string,
) {
  await ctx.db.transaction().execute(async (trx) => {
    await requireLibrary(trx, institutionId, fromLibraryId, 'fromLibraryId');
    const removed = await trx
      .deleteFrom('transit_times')
      .where('from_library_id', '=', fromLibraryId)
      .where('to_library_id', '=', toLibraryId)
      .returning('days')
      .executeTakeFirst();
    if (!removed) throw notFound('TRANSIT_TIME_NOT_FOUND', 'No transit time between these libraries.');
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'delete',
      entityType: 'transit_time',
      entityId: `${fromLibraryId}:${toLibraryId}`,
      before: { fromLibraryId, toLibraryId, days: removed.days },
    });
  });
}
