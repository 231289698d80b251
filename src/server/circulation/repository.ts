import { sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/database.ts';
import type { Database, LetterType } from '../db/schema.ts';
import { composeLetter } from '../letters/templates.ts';
import { notFound, refused } from '../shared/errors.ts';
import type { LibraryCalendar, LoanLimitCount, TermsOfUseRule } from './rules/index.ts';

/**
 * Data access of circulation (plain functions taking the executor first). The use cases call
 * these inside their one transaction; the locking helpers take `FOR UPDATE` row locks in the
 * order of architecture.md (the work's request queue, then the item, then the patron).
 */

export type Executor = Db | Transaction<Database>;

export interface DeskRow {
  id: string;
  code: string;
  name: string;
  institutionId: string;
  libraryId: string;
  libraryName: string;
}

/** The desk the operator works at, with its library; 404 DESK_NOT_FOUND when unknown. */
export async function loadDesk(db: Executor, deskId: string): Promise<DeskRow> {
  const row = await db
    .selectFrom('circulation_desks as d')
    .innerJoin('libraries as l', 'l.id', 'd.library_id')
    .select(['d.id', 'd.code', 'd.name', 'd.institution_id', 'd.library_id', 'l.name as library_name'])
    .where('d.id', '=', deskId)
    .executeTakeFirst();
  if (!row) throw notFound('DESK_NOT_FOUND', 'No such circulation desk.', { deskId });
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    institutionId: row.institution_id,
    libraryId: row.library_id,
    libraryName: row.library_name,
  };
}

/**
 * NET-6 / CIRC-3: a library's calendar in its time zone (its own, else its institution's), in
 * one statement (every loan, return and renewal reads one: docs/benchmarks.md).
 */
export async function loadCalendar(db: Executor, libraryId: string): Promise<LibraryCalendar> {
  const library = await db
    .selectFrom('libraries as l')
    .innerJoin('institutions as i', 'i.id', 'l.institution_id')
    .select([sql<string>`coalesce(l.time_zone, i.time_zone)`.as('time_zone')])
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('library_opening_hours as h')
          .select(['h.weekday', 'h.opens', 'h.closes'])
          .whereRef('h.library_id', '=', 'l.id'),
      ).as('hours'),
      jsonArrayFrom(
        eb.selectFrom('library_closed_days as c').select('c.day').whereRef('c.library_id', '=', 'l.id'),
      ).as('closed'),
    ])
    .where('l.id', '=', libraryId)
    .executeTakeFirstOrThrow();
  return {
    timeZone: library.time_zone,
    openingHours: library.hours.map((h) => ({
      weekday: h.weekday,
      opens: String(h.opens),
      closes: String(h.closes),
    })),
    closedDays: library.closed.map((c) => String(c.day)),
  };
}

export async function libraryNames(db: Executor, ids: string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {};
  const rows = await db
    .selectFrom('libraries as l')
    .innerJoin('institutions as i', 'i.id', 'l.institution_id')
    .select(['l.id', 'l.name', 'i.name as institution_name'])
    .where('l.id', 'in', ids)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

export interface LockedItem {
  id: string;
  institutionId: string;
  barcode: string;
  bibId: string;
  title: string;
  materialTypeId: string;
  itemPolicyId: string;
  locationId: string;
  homeLibraryId: string;
  inPlace: boolean;
  processType: Database['items']['process_type'];
  withdrawn: boolean;
  /** Volume / issue: a title request is for one volume (CIRC-7). */
  enumeration: string;
}

/**
 * The item with this barcode at the institution, its row locked `FOR UPDATE` (the second lock
 * in the fixed order, after a request queue). 404 ITEM_NOT_FOUND for a barcode unknown
 * anywhere; 422 ITEM_NOT_OWNED_HERE for another member's item (network lending: FN-5, later).
 */
export async function lockItemByBarcode(
  trx: Executor,
  institutionId: string,
  barcode: string,
): Promise<LockedItem> {
  const row = await trx
    .selectFrom('items as i')
    .select(['i.id', 'i.institution_id', 'i.barcode', 'i.bib_id', 'i.holding_id'])
    .select(['i.material_type_id', 'i.item_policy_id', 'i.in_place', 'i.process_type', 'i.withdrawn_at'])
    .select('i.enumeration')
    .where('i.institution_id', '=', institutionId)
    .where('i.barcode', '=', barcode)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    const elsewhere = await trx
      .selectFrom('items')
      .select('institution_id')
      .where('barcode', '=', barcode)
      .executeTakeFirst();
    if (elsewhere) {
      throw refused(
        'ITEM_NOT_OWNED_HERE',
        'This item belongs to another member of the network; choose its owning institution (network circulation comes with a later issue).',
        { barcode },
      );
    }
    throw notFound('ITEM_NOT_FOUND', `No item with barcode ${barcode} is known.`, { barcode });
  }
  return presentLockedItem(trx, row);
}

/** The item by id, locked `FOR UPDATE`. */
export async function lockItemById(
  trx: Executor,
  institutionId: string,
  itemId: string,
): Promise<LockedItem> {
  const row = await trx
    .selectFrom('items as i')
    .select(['i.id', 'i.institution_id', 'i.barcode', 'i.bib_id', 'i.holding_id'])
    .select(['i.material_type_id', 'i.item_policy_id', 'i.in_place', 'i.process_type', 'i.withdrawn_at'])
    .select('i.enumeration')
    .where('i.institution_id', '=', institutionId)
    .where('i.id', '=', itemId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('ITEM_NOT_FOUND', 'No such item in this institution.', { itemId });
  return presentLockedItem(trx, row);
}

async function presentLockedItem(
  trx: Executor,
  row: {
    id: string;
    institution_id: string;
    barcode: string;
    bib_id: string;
    holding_id: string;
    material_type_id: string;
    item_policy_id: string;
    in_place: boolean;
    process_type: Database['items']['process_type'];
    withdrawn_at: Date | null;
    enumeration: string;
  },
): Promise<LockedItem> {
  const place = await trx
    .selectFrom('holdings as h')
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'h.institution_id').onRef('b.id', '=', 'h.bib_id'),
    )
    .select(['h.library_id', 'h.location_id', 'b.title'])
    .where('h.institution_id', '=', row.institution_id)
    .where('h.id', '=', row.holding_id)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    institutionId: row.institution_id,
    barcode: row.barcode,
    bibId: row.bib_id,
    title: place.title,
    materialTypeId: row.material_type_id,
    itemPolicyId: row.item_policy_id,
    locationId: place.location_id,
    homeLibraryId: place.library_id,
    inPlace: row.in_place,
    processType: row.process_type,
    withdrawn: row.withdrawn_at !== null,
    enumeration: row.enumeration,
  };
}

export interface LockedPatron {
  id: string;
  institutionId: string;
  name: string;
  userGroupId: string;
  expiryDate: string | null;
  status: 'active' | 'inactive';
  email: string | null;
  blocks: { type: string; reason: string }[];
}

/** The patron's row locked `FOR UPDATE` (the last lock in the fixed order) with its active blocks. */
export async function lockPatron(
  trx: Executor,
  institutionId: string,
  patronId: string,
  now: Date,
  options: { lock?: boolean } = {},
): Promise<LockedPatron> {
  let query = trx
    .selectFrom('patrons')
    .select(['id', 'institution_id', 'first_name', 'last_name', 'preferred_name', 'user_group_id'])
    .select(['expiry_date', 'status', 'email', 'emails'])
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId);
  if (options.lock !== false) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('PATRON_NOT_FOUND', 'No such patron in this institution.', { patronId });
  // PAT-7: blocks carried from a home record arrive with linked accounts (a later issue).
  const blocks = await trx
    .selectFrom('patron_blocks')
    .select(['block_type', 'reason'])
    .where('institution_id', '=', institutionId)
    .where('patron_id', '=', patronId)
    .where('removed_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const emails = (row.emails ?? []) as { address?: string; preferred?: boolean }[];
  const preferred = emails.find((e) => e.preferred)?.address ?? emails[0]?.address ?? row.email;
  return {
    id: row.id,
    institutionId: row.institution_id,
    name: patronName(row),
    userGroupId: row.user_group_id,
    expiryDate: row.expiry_date,
    status: row.status,
    email: preferred ?? null,
    blocks: blocks.map((b) => ({ type: b.block_type, reason: b.reason })),
  };
}

export function patronName(p: {
  first_name: string;
  last_name: string;
  preferred_name?: string | null;
}): string {
  const first = p.preferred_name || p.first_name;
  return first ? `${first} ${p.last_name}` : p.last_name;
}

export async function loadTermsRules(db: Executor, institutionId: string): Promise<TermsOfUseRule[]> {
  const rows = await db
    .selectFrom('terms_of_use_rules')
    .selectAll()
    .where('institution_id', '=', institutionId)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    priority: r.priority,
    userGroupId: r.user_group_id,
    itemPolicyId: r.item_policy_id,
    materialTypeId: r.material_type_id,
    locationId: r.location_id,
    termsOfUseId: r.terms_of_use_id,
    isFallback: r.is_fallback,
  }));
}

export async function loadTerms(db: Executor, institutionId: string, termsOfUseId: string) {
  return db
    .selectFrom('terms_of_use')
    .selectAll()
    .where('institution_id', '=', institutionId)
    .where('id', '=', termsOfUseId)
    .executeTakeFirstOrThrow();
}
export type TermsRow = Awaited<ReturnType<typeof loadTerms>>;

/**
 * CIRC-2: every loan limit of the owner with the patron's current count of active loans under
 * it. Call under the patron lock so that two desks cannot both see one loan below the limit.
 * A network limit counts the patron's loans across all members; until linked accounts exist
 * (a later issue) that is the loans of this same patron record at every institution.
 */
export async function countLimits(
  trx: Executor,
  institutionId: string,
  patronId: string,
): Promise<LoanLimitCount[]> {
  const limits = await trx
    .selectFrom('loan_limits')
    .selectAll()
    .where('institution_id', '=', institutionId)
    .execute();
  if (limits.length === 0) return [];
  const byType = await trx
    .selectFrom('loans as l')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 'l.institution_id').onRef('i.id', '=', 'l.item_id'),
    )
    .select(['l.institution_id', 'i.material_type_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('l.patron_id', '=', patronId)
    .where('l.status', '=', 'active')
    .groupBy(['l.institution_id', 'i.material_type_id'])
    .execute();
  const here = byType.filter((r) => r.institution_id === institutionId);
  const sum = (rows: { n: number | string }[]) => rows.reduce((s, r) => s + Number(r.n), 0);
  return limits.map((l) => ({
    id: l.id,
    scope: l.scope,
    userGroupId: l.user_group_id,
    materialTypeId: l.material_type_id,
    maxLoans: l.max_loans,
    currentLoans:
      l.scope === 'network'
        ? sum(byType)
        : sum(
            l.material_type_id === null
              ? here
              : here.filter((r) => r.material_type_id === l.material_type_id),
          ),
  }));
}

export interface HistoryEntry {
  institutionId: string;
  itemId: string;
  at: Date;
  /** CIRC-13: loans and scans; request changes ('request'), transits, the hold shelf and missing copies. */
  event:
    | 'loan'
    | 'renew'
    | 'return'
    | 'override'
    | 'scan_in'
    | 'request'
    | 'transit'
    | 'hold_shelf'
    | 'missing';
  actingInstitutionId: string | null;
  libraryId: string | null;
  deskId: string | null;
  operatorStaffId: string | null;
  patronId: string | null;
  loanId: string | null;
  details: Record<string, unknown>;
}

/** CIRC-13: one event of the item's history, in the use case's transaction. */
export async function recordHistory(trx: Executor, e: HistoryEntry): Promise<void> {
  await trx
    .insertInto('item_history')
    .values({
      institution_id: e.institutionId,
      item_id: e.itemId,
      at: e.at,
      event: e.event,
      acting_institution_id: e.actingInstitutionId,
      library_id: e.libraryId,
      desk_id: e.deskId,
      operator_staff_id: e.operatorStaffId,
      patron_id: e.patronId,
      loan_id: e.loanId,
      details: JSON.stringify(e.details),
    })
    .execute();
}

/**
 * CIRC-12: a letter in the outbox, written in the same transaction as its event, in the
 * institution's template for the type when it has one (the given subject and body are then
 * the `{{subject}}` and `{{body}}` placeholders; `values` adds more) and with its sender.
 * letters/delivery.ts sends it by SMTP under its stable message id.
 */
export async function writeLetter(
  trx: Executor,
  letter: {
    institutionId: string;
    patronId: string;
    type: LetterType;
    to: string | null;
    subject: string;
    body: string;
    messageId: string;
    at: Date;
    values?: Record<string, string>;
  },
): Promise<string | null> {
  const content = await composeLetter(trx, letter);
  const row = await trx
    .insertInto('letters')
    .values({
      institution_id: letter.institutionId,
      patron_id: letter.patronId,
      letter_type: letter.type,
      to_address: letter.to,
      from_address: content.from,
      subject: content.subject,
      body: content.body,
      message_id: letter.messageId,
      created_at: letter.at,
      next_attempt_at: letter.at,
    })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  // Null when a letter with this Message-ID was already written (a repeated step writes none).
  return row?.id ?? null;
}

/**
 * CIRC-11 / INV-4: sets each loan's one overdue fee to the given amount, in one statement for
 * any number of loans (the return sets one, the daily job a batch). What has been paid or
 * waived (original minus balance) stays taken off the new amount; a fee already at the amount
 * is left alone.
 */
export async function setOverdueFees(
  trx: Executor,
  fees: {
    institutionId: string;
    patronId: string;
    loanId: string;
    itemId: string;
    currency: string;
    amountMinor: number;
  }[],
  now: Date,
): Promise<number> {
  if (fees.length === 0) return 0;
  const column = <K extends keyof (typeof fees)[number]>(k: K) => fees.map((f) => f[k]);
  const result = await sql`INSERT INTO fees (institution_id, patron_id, loan_id, item_id, fee_type, status,
      currency, original_minor, balance_minor, created_at, updated_at)
    SELECT x.institution_id, x.patron_id, x.loan_id, x.item_id, 'overdue_fine', 'active', x.currency,
      x.amount, x.amount, ${now}, ${now}
    FROM unnest(${column('institutionId')}::uuid[], ${column('patronId')}::uuid[], ${column('loanId')}::uuid[],
      ${column('itemId')}::uuid[], ${column('currency')}::text[], ${column('amountMinor')}::bigint[])
      AS x(institution_id, patron_id, loan_id, item_id, currency, amount)
    ON CONFLICT (institution_id, loan_id) WHERE fee_type = 'overdue_fine' DO UPDATE SET
      original_minor = GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor),
      balance_minor = GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor)
        - (fees.original_minor - fees.balance_minor),
      status = CASE WHEN GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor)
        - (fees.original_minor - fees.balance_minor) = 0 THEN 'closed' ELSE 'active' END,
      updated_at = EXCLUDED.updated_at
    WHERE GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor) <> fees.original_minor`.execute(
    trx,
  );
  return Number(result.numAffectedRows ?? 0);
}
