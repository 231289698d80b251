import { type RawBuilder, sql, type Transaction } from 'kysely';
import { hashPassword } from '../auth/passwords.ts';
import type { CommandContext } from '../config/commands.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { conflict, notFound } from '../shared/errors.ts';
import { type FieldProblem, invalidFields } from '../shared/validation.ts';
import {
  buildSearchText,
  escapeLike,
  expiryDateWhenExpiring,
  isExpired,
  refuseWhenPurgedBeforeExpiry,
  searchQueryWords,
  storedContacts,
  todayIn,
} from './rules.ts';
import type { BlockCreate, PatronCreate, PatronUpdate, PatronView } from './schemas.ts';

/**
 * PAT-1 use cases: each runs in one transaction, locks the patron row it changes, checks the
 * record as a whole (400 naming every bad field, 409 naming every identifier already in use),
 * writes, and keeps `search_text` up to date. Patron records are not configuration, so they are
 * not copied into the NET-7 audit trail (whose readers need not hold patrons.read); blocks keep
 * who set and lifted them.
 */

type Executor = Db | Transaction<Database>;

/** 400 naming every bad field at once, when there is any. */
function invalidFieldsOr(problems: FieldProblem[]): void {
  if (problems.length > 0) throw invalidFields(problems);
}
export type PatronFields = Omit<PatronCreate, 'password'>;

export const patronNotFound = (patronId: string) =>
  notFound('PATRON_NOT_FOUND', 'No such patron in this institution.', { patronId });

/** The SQL test for an active block of the patron aliased `p` (not removed, not run out). */
const activeBlockOf = (alias: 'p') =>
  sql<boolean>`EXISTS (SELECT 1 FROM patron_blocks b WHERE b.institution_id = ${sql.ref(`${alias}.institution_id`)}
    AND b.patron_id = ${sql.ref(`${alias}.id`)} AND b.removed_at IS NULL AND (b.expires_at IS NULL OR b.expires_at > now()))`;

async function institutionToday(db: Executor, institutionId: string, now = new Date()): Promise<string> {
  const institution = await db
    .selectFrom('institutions')
    .select('time_zone')
    .where('id', '=', institutionId)
    .executeTakeFirstOrThrow();
  return todayIn(institution.time_zone, now);
}

// ---- Reading ----

/** PAT-1: the full record with its identifiers, active blocks, user group and computed flags. */
export async function getPatron(db: Executor, institutionId: string, patronId: string): Promise<PatronView> {
  const row = await db
    .selectFrom('patrons as p')
    .innerJoin('user_groups as g', 'g.id', 'p.user_group_id')
    .selectAll('p')
    .select(['g.code as group_code', 'g.name as group_name'])
    .where('p.institution_id', '=', institutionId)
    .where('p.id', '=', patronId)
    .executeTakeFirst();
  if (!row) throw patronNotFound(patronId);
  const identifiers = await db
    .selectFrom('patron_identifiers')
    .select(['id_type', 'value'])
    .where('institution_id', '=', institutionId)
    .where('patron_id', '=', patronId)
    .orderBy('id_type')
    .orderBy('value')
    .execute();
  const blocks = await db
    .selectFrom('patron_blocks')
    .selectAll()
    .where('institution_id', '=', institutionId)
    .where('patron_id', '=', patronId)
    .where('removed_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const today = await institutionToday(db, institutionId);
  return {
    id: row.id,
    institutionId: row.institution_id,
    primaryIdentifier: row.primary_identifier,
    firstName: row.first_name,
    middleName: row.middle_name,
    lastName: row.last_name,
    preferredName: row.preferred_name,
    userGroup: { id: row.user_group_id, code: row.group_code, name: row.group_name },
    emails: row.emails as PatronView['emails'],
    phones: row.phones as PatronView['phones'],
    addresses: row.addresses as PatronView['addresses'],
    generalNote: row.general_note,
    expiryDate: row.expiry_date,
    purgeDate: row.purge_date,
    status: row.status,
    crossConsortiaId: row.cross_consortia_id,
    identifiers: identifiers.map((i) => ({ type: i.id_type, value: i.value })),
    blocks: blocks.map((b) => ({
      id: b.id,
      blockType: b.block_type,
      reason: b.reason,
      networkBlock: b.network_block,
      expiresAt: b.expires_at?.toISOString() ?? null,
      createdAt: b.created_at.toISOString(),
      createdBy: b.created_by,
    })),
    expired: isExpired(row.expiry_date, today),
    blocked: blocks.length > 0,
    hasDiscoveryLogin: row.password_hash !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The id of the institution's patron with this primary identifier, if any. */
export async function findPatronIdByPrimaryIdentifier(
  db: Executor,
  institutionId: string,
  primaryIdentifier: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('patrons')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('primary_identifier', '=', primaryIdentifier)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * PAT-1 search by name or identifier within one institution. Every word of the query must start
 * a word of the record's names or identifiers, folded for case and diacritics (`Zoe` finds
 * `Zoë`); a query that is exactly one of a patron's identifiers (primary or other, ignoring
 * case) finds that patron and ranks first. Then by folded last name, first name.
 */
export async function searchPatrons(
  db: Db,
  institutionId: string,
  query: { q?: string | undefined; limit: number; offset: number },
) {
  const q = query.q?.trim() ?? '';
  const words = searchQueryWords(q);
  const exact = q.toLowerCase();
  const identifierMatch: RawBuilder<boolean> = q
    ? sql<boolean>`(lower(p.primary_identifier) = ${exact} OR EXISTS (SELECT 1 FROM patron_identifiers i
        WHERE i.institution_id = p.institution_id AND i.patron_id = p.id AND lower(i.value) = ${exact}))`
    : sql<boolean>`false`;
  const wordsMatch = words.map((w) => sql<boolean>`(' ' || p.search_text) LIKE ${`% ${escapeLike(w)}%`}`);
  const matches: RawBuilder<boolean> = !q
    ? sql<boolean>`true`
    : words.length === 0
      ? identifierMatch
      : sql<boolean>`((${sql.join(wordsMatch, sql` AND `)}) OR ${identifierMatch})`;

  const base = db.selectFrom('patrons as p').where('p.institution_id', '=', institutionId).where(matches);
  const counted = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  let ranked = base
    .innerJoin('user_groups as g', 'g.id', 'p.user_group_id')
    .select([
      'p.id',
      'p.primary_identifier',
      'p.first_name',
      'p.middle_name',
      'p.last_name',
      'p.preferred_name',
      'p.user_group_id',
      'g.code as group_code',
      'g.name as group_name',
      'p.expiry_date',
      'p.status',
    ])
    .select(identifierMatch.as('identifier_match'))
    .select(activeBlockOf('p').as('blocked'));
  if (q) ranked = ranked.orderBy(identifierMatch, 'desc');
  const rows = await ranked
    .orderBy('p.search_text')
    .orderBy('p.id')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  const today = await institutionToday(db, institutionId);
  return {
    total: Number(counted.total),
    limit: query.limit,
    offset: query.offset,
    patrons: rows.map((r) => ({
      id: r.id,
      primaryIdentifier: r.primary_identifier,
      firstName: r.first_name,
      middleName: r.middle_name,
      lastName: r.last_name,
      preferredName: r.preferred_name,
      userGroup: { id: r.user_group_id, code: r.group_code, name: r.group_name },
      expiryDate: r.expiry_date,
      status: r.status,
      expired: isExpired(r.expiry_date, today),
      blocked: r.blocked,
      identifierMatch: r.identifier_match,
    })),
  };
}

// ---- Checks shared by every write ----

/** The institution's user group, or a problem naming the field. */
async function refuseUnknownUserGroup(trx: Executor, institutionId: string, userGroupId: string | undefined) {
  if (userGroupId === undefined) return [];
  const group = await trx
    .selectFrom('user_groups')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('id', '=', userGroupId)
    .executeTakeFirst();
  return group ? [] : [{ field: 'userGroupId', message: 'is not a user group of this institution' }];
}

interface IdentityClaims {
  primaryIdentifier?: string | undefined;
  crossConsortiaId?: string | null | undefined;
  identifiers?: readonly { type: string; value: string }[] | undefined;
}

/**
 * PAT-1: identifiers are unique per institution (and type). Names every value another patron
 * of the institution already holds, so the operator sees all of them at once (409 DUPLICATE,
 * like the database's own unique keys, which remain the last guard against races).
 */
async function refuseIdentifiersInUse(
  trx: Executor,
  institutionId: string,
  selfId: string | null,
  claims: IdentityClaims,
  identifierField: (index: number) => string = (index) => `identifiers.${index}.value`,
) {
  const problems: { field: string; message: string }[] = [];
  const others = (patronId: string) => selfId === null || patronId !== selfId;
  if (claims.primaryIdentifier !== undefined) {
    const holder = await trx
      .selectFrom('patrons')
      .select('id')
      .where('institution_id', '=', institutionId)
      .where('primary_identifier', '=', claims.primaryIdentifier)
      .executeTakeFirst();
    if (holder && others(holder.id))
      problems.push({ field: 'primaryIdentifier', message: 'is already used by another patron' });
  }
  if (claims.crossConsortiaId) {
    const holder = await trx
      .selectFrom('patrons')
      .select('id')
      .where('institution_id', '=', institutionId)
      .where('cross_consortia_id', '=', claims.crossConsortiaId)
      .executeTakeFirst();
    if (holder && others(holder.id))
      problems.push({ field: 'crossConsortiaId', message: 'is already used by another patron' });
  }
  const identifiers = claims.identifiers ?? [];
  if (identifiers.length > 0) {
    const held = await trx
      .selectFrom('patron_identifiers')
      .select(['id_type', 'value', 'patron_id'])
      .where('institution_id', '=', institutionId)
      .where(
        'value',
        'in',
        identifiers.map((i) => i.value),
      )
      .execute();
    identifiers.forEach((identifier, index) => {
      const holder = held.find((h) => h.id_type === identifier.type && h.value === identifier.value);
      if (holder && others(holder.patron_id))
        problems.push({
          field: identifierField(index),
          message: `${identifier.type} ${identifier.value} is already used by another patron`,
        });
    });
  }
  if (problems.length > 0) {
    throw conflict(
      'DUPLICATE',
      `Already used by another patron of this institution: ${problems.map((p) => p.field).join(', ')}.`,
      { fields: problems },
    );
  }
}

/** PAT-1: `search_text` from the names and identifiers as they are now stored. */
export async function refreshSearchText(trx: Executor, institutionId: string, patronId: string) {
  const patron = await trx
    .selectFrom('patrons')
    .select(['last_name', 'first_name', 'middle_name', 'preferred_name', 'primary_identifier'])
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId)
    .executeTakeFirstOrThrow();
  const identifiers = await trx
    .selectFrom('patron_identifiers')
    .select('value')
    .where('institution_id', '=', institutionId)
    .where('patron_id', '=', patronId)
    .orderBy('id_type')
    .orderBy('value')
    .execute();
  const searchText = buildSearchText({
    lastName: patron.last_name,
    firstName: patron.first_name,
    middleName: patron.middle_name,
    preferredName: patron.preferred_name,
    primaryIdentifier: patron.primary_identifier,
    identifiers,
  });
  await trx
    .updateTable('patrons')
    .set({ search_text: searchText })
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId)
    .execute();
}

async function lockPatron(trx: Transaction<Database>, institutionId: string, patronId: string) {
  const row = await trx
    .selectFrom('patrons')
    .selectAll()
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw patronNotFound(patronId);
  return row;
}

// ---- Writing (inside a caller's transaction; the API use cases and the CSV loader share these) ----

/** Creates a patron record in the transaction; returns its id. */
export async function insertPatron(
  trx: Transaction<Database>,
  institutionId: string,
  input: PatronFields,
  passwordHash: string | null,
): Promise<string> {
  invalidFieldsOr([
    ...(await refuseUnknownUserGroup(trx, institutionId, input.userGroupId)),
    ...refuseWhenPurgedBeforeExpiry({
      expiryDate: input.expiryDate ?? null,
      purgeDate: input.purgeDate ?? null,
    }),
  ]);
  await refuseIdentifiersInUse(trx, institutionId, null, input);
  const contacts = storedContacts(input);
  const emails = contacts.emails ?? [];
  const row = await trx
    .insertInto('patrons')
    .values({
      institution_id: institutionId,
      primary_identifier: input.primaryIdentifier,
      first_name: input.firstName ?? '',
      middle_name: input.middleName ?? '',
      last_name: input.lastName,
      preferred_name: input.preferredName || null,
      user_group_id: input.userGroupId,
      emails: JSON.stringify(emails),
      phones: JSON.stringify(contacts.phones ?? []),
      addresses: JSON.stringify(contacts.addresses ?? []),
      email: emails.find((e) => e.preferred)?.address ?? null,
      general_note: input.generalNote ?? '',
      expiry_date: input.expiryDate ?? null,
      purge_date: input.purgeDate ?? null,
      status: input.status ?? 'active',
      cross_consortia_id: input.crossConsortiaId ?? null,
      password_hash: passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.identifiers?.length) {
    await trx
      .insertInto('patron_identifiers')
      .values(
        input.identifiers.map((i) => ({
          institution_id: institutionId,
          patron_id: row.id,
          id_type: i.type,
          value: i.value,
        })),
      )
      .execute();
  }
  await refreshSearchText(trx, institutionId, row.id);
  return row.id;
}

/**
 * Changes any subset of a record in the transaction. `identifiers`, when given, replaces the
 * patron's other identifiers: all of them, or only those of `replaceIdentifierTypes` (the CSV
 * loader replaces only the identifier columns its file has).
 */
export async function applyPatronChanges(
  trx: Transaction<Database>,
  institutionId: string,
  patronId: string,
  changes: PatronUpdate,
  options: { replaceIdentifierTypes?: readonly string[] } = {},
): Promise<void> {
  const current = await lockPatron(trx, institutionId, patronId);
  const dates = {
    expiryDate: changes.expiryDate === undefined ? current.expiry_date : changes.expiryDate,
    purgeDate: changes.purgeDate === undefined ? current.purge_date : changes.purgeDate,
  };
  invalidFieldsOr([
    ...(await refuseUnknownUserGroup(trx, institutionId, changes.userGroupId)),
    ...refuseWhenPurgedBeforeExpiry(
      dates,
      changes.purgeDate === undefined && changes.expiryDate !== undefined ? 'expiryDate' : 'purgeDate',
    ),
  ]);
  await refuseIdentifiersInUse(trx, institutionId, patronId, {
    primaryIdentifier: changes.primaryIdentifier,
    crossConsortiaId: changes.crossConsortiaId,
    identifiers: changes.identifiers,
  });
  const contacts = storedContacts(changes);
  await trx
    .updateTable('patrons')
    .set({
      ...(changes.primaryIdentifier !== undefined ? { primary_identifier: changes.primaryIdentifier } : {}),
      ...(changes.firstName !== undefined ? { first_name: changes.firstName } : {}),
      ...(changes.middleName !== undefined ? { middle_name: changes.middleName } : {}),
      ...(changes.lastName !== undefined ? { last_name: changes.lastName } : {}),
      ...(changes.preferredName !== undefined ? { preferred_name: changes.preferredName || null } : {}),
      ...(changes.userGroupId !== undefined ? { user_group_id: changes.userGroupId } : {}),
      ...(contacts.emails
        ? {
            emails: JSON.stringify(contacts.emails),
            email: contacts.emails.find((e) => e.preferred)?.address ?? null,
          }
        : {}),
      ...(contacts.phones ? { phones: JSON.stringify(contacts.phones) } : {}),
      ...(contacts.addresses ? { addresses: JSON.stringify(contacts.addresses) } : {}),
      ...(changes.generalNote !== undefined ? { general_note: changes.generalNote } : {}),
      ...(changes.expiryDate !== undefined ? { expiry_date: changes.expiryDate } : {}),
      ...(changes.purgeDate !== undefined ? { purge_date: changes.purgeDate } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.crossConsortiaId !== undefined ? { cross_consortia_id: changes.crossConsortiaId } : {}),
      updated_at: new Date(),
    })
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId)
    .execute();
  if (changes.identifiers) {
    let removal = trx
      .deleteFrom('patron_identifiers')
      .where('institution_id', '=', institutionId)
      .where('patron_id', '=', patronId);
    if (options.replaceIdentifierTypes) {
      if (options.replaceIdentifierTypes.length === 0) removal = removal.where(sql<boolean>`false`);
      else removal = removal.where('id_type', 'in', [...options.replaceIdentifierTypes]);
    }
    await removal.execute();
    if (changes.identifiers.length > 0) {
      await trx
        .insertInto('patron_identifiers')
        .values(
          changes.identifiers.map((i) => ({
            institution_id: institutionId,
            patron_id: patronId,
            id_type: i.type,
            value: i.value,
          })),
        )
        .execute();
    }
  }
  // An inactive record cannot sign in to discovery (auth/sessions.ts); its open sessions end now.
  if (changes.status === 'inactive' && current.status !== 'inactive') {
    await trx.deleteFrom('sessions').where('patron_id', '=', patronId).execute();
  }
  await refreshSearchText(trx, institutionId, patronId);
}

// ---- Use cases ----

/** PAT-1: creates a patron record, with a discovery password when one is given. */
export async function createPatron(ctx: CommandContext, institutionId: string, input: PatronCreate) {
  const { password, ...fields } = input;
  const passwordHash = password ? await hashPassword(password) : null;
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertPatron(trx, institutionId, fields, passwordHash);
    return getPatron(trx, institutionId, id);
  });
}

/** PAT-1: changes any subset of a record; identifiers, when given, replace all others. */
export async function updatePatron(
  ctx: CommandContext,
  institutionId: string,
  patronId: string,
  changes: PatronUpdate,
) {
  return ctx.db.transaction().execute(async (trx) => {
    await applyPatronChanges(trx, institutionId, patronId, changes);
    return getPatron(trx, institutionId, patronId);
  });
}

/** PAT-1: adds one identifier (barcode, university ID, ...); unique per institution and type. */
export async function addIdentifier(
  ctx: CommandContext,
  institutionId: string,
  patronId: string,
  identifier: { type: string; value: string },
) {
  return ctx.db.transaction().execute(async (trx) => {
    await lockPatron(trx, institutionId, patronId);
    await refuseIdentifiersInUse(trx, institutionId, patronId, { identifiers: [identifier] }, () => 'value');
    const own = await trx
      .selectFrom('patron_identifiers')
      .select('value')
      .where('institution_id', '=', institutionId)
      .where('patron_id', '=', patronId)
      .where('id_type', '=', identifier.type)
      .where('value', '=', identifier.value)
      .executeTakeFirst();
    if (own) {
      throw conflict('DUPLICATE', 'The patron already has this identifier.', {
        fields: [
          { field: 'value', message: `the patron already has ${identifier.type} ${identifier.value}` },
        ],
      });
    }
    await trx
      .insertInto('patron_identifiers')
      .values({
        institution_id: institutionId,
        patron_id: patronId,
        id_type: identifier.type,
        value: identifier.value,
      })
      .execute();
    await trx
      .updateTable('patrons')
      .set({ updated_at: new Date() })
      .where('institution_id', '=', institutionId)
      .where('id', '=', patronId)
      .execute();
    await refreshSearchText(trx, institutionId, patronId);
    return getPatron(trx, institutionId, patronId);
  });
}

export async function removeIdentifier(
  ctx: CommandContext,
  institutionId: string,
  patronId: string,
  identifier: { type: string; value: string },
) {
  await ctx.db.transaction().execute(async (trx) => {
    await lockPatron(trx, institutionId, patronId);
    const removed = await trx
      .deleteFrom('patron_identifiers')
      .where('institution_id', '=', institutionId)
      .where('patron_id', '=', patronId)
      .where('id_type', '=', identifier.type)
      .where('value', '=', identifier.value)
      .returning('value')
      .executeTakeFirst();
    if (!removed)
      throw notFound('IDENTIFIER_NOT_FOUND', 'The patron has no such identifier.', {
        patronId,
        ...identifier,
      });
    await trx
      .updateTable('patrons')
      .set({ updated_at: new Date() })
      .where('institution_id', '=', institutionId)
      .where('id', '=', patronId)
      .execute();
    await refreshSearchText(trx, institutionId, patronId);
  });
}

/** PAT-1 / PAT-7: blocks the patron; a network block is carried to the patron's linked accounts. */
export async function addBlock(
  ctx: CommandContext,
  institutionId: string,
  patronId: string,
  input: BlockCreate,
) {
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date())
    invalidFieldsOr([{ field: 'expiresAt', message: 'must be in the future' }]);
  return ctx.db.transaction().execute(async (trx) => {
    await lockPatron(trx, institutionId, patronId);
    await trx
      .insertInto('patron_blocks')
      .values({
        institution_id: institutionId,
        patron_id: patronId,
        block_type: input.blockType,
        reason: input.reason ?? '',
        network_block: input.networkBlock ?? false,
        expires_at: expiresAt,
        created_by: ctx.actor.staffId,
      })
      .execute();
    return getPatron(trx, institutionId, patronId);
  });
}

/** Lifts an active block; the row stays, with who lifted it and when. */
export async function removeBlock(
  ctx: CommandContext,
  institutionId: string,
  patronId: string,
  blockId: string,
) {
  await ctx.db.transaction().execute(async (trx) => {
    await lockPatron(trx, institutionId, patronId);
    const lifted = await trx
      .updateTable('patron_blocks')
      .set({ removed_at: new Date(), removed_by: ctx.actor.staffId })
      .where('institution_id', '=', institutionId)
      .where('patron_id', '=', patronId)
      .where('id', '=', blockId)
      .where('removed_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!lifted)
      throw notFound('BLOCK_NOT_FOUND', 'The patron has no such block in force.', { patronId, blockId });
  });
}

/** PAT-1: expires the record now: the expiry date becomes today in the institution's time zone. */
export async function expirePatron(ctx: CommandContext, institutionId: string, patronId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const current = await lockPatron(trx, institutionId, patronId);
    const expiryDate = expiryDateWhenExpiring(
      current.expiry_date,
      await institutionToday(trx, institutionId),
    );
    if (expiryDate !== current.expiry_date) {
      await trx
        .updateTable('patrons')
        .set({ expiry_date: expiryDate, updated_at: new Date() })
        .where('institution_id', '=', institutionId)
        .where('id', '=', patronId)
        .execute();
    }
    return getPatron(trx, institutionId, patronId);
  });
}

/**
 * PAT-1 discovery login: sets the patron's discovery password (null removes the login). Either
 * way the patron's open discovery sessions end.
 */
export async function setPatronPassword(
  ctx: CommandContext,
  institutionId: string,
  patronId: string,
  password: string | null,
) {
  const passwordHash = password === null ? null : await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    await lockPatron(trx, institutionId, patronId);
    await trx
      .updateTable('patrons')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('institution_id', '=', institutionId)
      .where('id', '=', patronId)
      .execute();
    await trx.deleteFrom('sessions').where('patron_id', '=', patronId).execute();
  });
}
