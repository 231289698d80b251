import {
  type CompiledQuery,
  type ExpressionBuilder,
  type Insertable,
  type QueryResult,
  type RawBuilder,
  type Selectable,
  type SelectQueryBuilder,
  sql,
  type Transaction,
} from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { compiledOnce, compiledPerShape, everyColumnOf, rowOfSlots, slotValues } from '../db/compiled.ts';
import { constant } from '../db/constants.ts';
import type { Db } from '../db/database.ts';
import { pipelined } from '../db/pipeline.ts';
import type { Database, LetterType } from '../db/schema.ts';
import { composeLetter, type LetterInput, type LetterSetting } from '../letters/templates.ts';
import {
  leftOnExpiredHoldShelf,
  lockQueueOfBarcodeStatement,
  queueAndHoldingRequests,
} from '../requests/conditions.ts';
import type { JsonRequestRow } from '../requests/queue.ts';
import { notFound, refused } from '../shared/errors.ts';
import { newRowId } from '../shared/ids.ts';
import {
  loadOpenTransit,
  lockOpenTransitOfBarcode,
  type OpenTransit,
  presentOpenTransit,
} from '../transits/repository.ts';
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

/**
 * NET-6 / CIRC-3: the columns of a library's calendar in its time zone (its own, else its
 * institution's), for a query over `libraries as l` joined to `institutions as i`.
 */
function calendarColumns(eb: ExpressionBuilder<CalendarSource, 'l' | 'i'>) {
  return [
    sql<string>`coalesce(l.time_zone, i.time_zone)`.as('time_zone'),
    jsonArrayFrom(
      eb
        .selectFrom('library_opening_hours as h')
        .select(['h.weekday', 'h.opens', 'h.closes'])
        .whereRef('h.library_id', '=', 'l.id'),
    ).as('hours'),
    jsonArrayFrom(
      eb.selectFrom('library_closed_days as c').select('c.day').whereRef('c.library_id', '=', 'l.id'),
    ).as('closed'),
  ] as const;
}
type CalendarSource = Database & { l: Database['libraries']; i: Database['institutions'] };

function toCalendar(row: {
  time_zone: string;
  hours: { weekday: number; opens: unknown; closes: unknown }[];
  closed: { day: unknown }[];
}): LibraryCalendar {
  return {
    timeZone: row.time_zone,
    openingHours: row.hours.map((h) => ({
      weekday: h.weekday,
      opens: String(h.opens),
      closes: String(h.closes),
    })),
    closedDays: row.closed.map((c) => String(c.day)),
  };
}

/** A library's calendar, in one statement (every loan, return and renewal reads one: docs/benchmarks.md). */
const selectCalendar = compiledOnce((db, v: { libraryId: string }) =>
  db
    .selectFrom('libraries as l')
    .innerJoin('institutions as i', 'i.id', 'l.institution_id')
    .select((eb) => calendarColumns(eb))
    .where('l.id', '=', v.libraryId),
);

export async function loadCalendar(db: Executor, libraryId: string): Promise<LibraryCalendar> {
  return calendarFound((await selectCalendar(db, { libraryId })).rows, libraryId);
}

/** The calendar `selectCalendar` read; a library that is not there is a broken reference. */
function calendarFound(rows: Parameters<typeof toCalendar>[0][], libraryId: string): LibraryCalendar {
  const [library] = rows;
  if (!library) throw new Error(`no library ${libraryId}`);
  return toCalendar(library);
}

/**
 * CIRC-5: what renewing a loan reads before its transaction, in one statement: the loan's item
 * and patron, its terms of use, the desk that made it and that desk's library with its
 * calendar (CIRC-3).
 * None of these change while the loan is open, except configuration; the loan's state is read
 * again under its lock. Null when there is no such loan.
 */
const selectRenewalSetting = compiledOnce((db, v: { institutionId: string; loanId: string }) =>
  db
    .selectFrom('loans as lo')
    .innerJoin('terms_of_use as t', (j) =>
      j.onRef('t.institution_id', '=', 'lo.institution_id').onRef('t.id', '=', 'lo.terms_of_use_id'),
    )
    .innerJoin('libraries as l', 'l.id', 'lo.desk_library_id')
    .innerJoin('institutions as i', 'i.id', 'l.institution_id')
    .innerJoin('circulation_desks as d', 'd.id', 'lo.desk_id')
    .select(['lo.item_id', 'lo.patron_id', 'd.name as desk_name', 'l.name as library_name'])
    .select([
      't.renewals_allowed',
      't.renewal_period',
      't.loan_period',
      't.loan_period_unit',
      't.fixed_due_date',
    ])
    .select((eb) => calendarColumns(eb))
    .where('lo.institution_id', '=', v.institutionId)
    .where('lo.id', '=', v.loanId),
);

export async function loadRenewalSetting(db: Executor, institutionId: string, loanId: string) {
  const [row] = (await selectRenewalSetting(db, { institutionId, loanId })).rows;
  if (!row) return null;
  return {
    itemId: row.item_id,
    patronId: row.patron_id,
    deskName: row.desk_name,
    libraryName: row.library_name,
    terms: {
      renewalsAllowed: row.renewals_allowed,
      renewalPeriod: row.renewal_period,
      loanPeriod: row.loan_period,
      loanPeriodUnit: row.loan_period_unit,
      fixedDueDate: row.fixed_due_date,
    },
    calendar: toCalendar(row),
  };
}

/** The terms of use a loan needs to compute its due date (CIRC-2, CIRC-3). */
export interface LendingTerms {
  id: string;
  loanable: boolean;
  renewals_allowed: number;
  loan_period_unit: 'days' | 'hours';
  loan_period: number | null;
  fixed_due_date: string | null;
}

/**
 * What a desk operation reads of its setting, in one statement written with its locks
 * (`lockAtDesk`, decision 70): the desk and its library, the library's calendar (CIRC-3), the
 * desk institution's terms-of-use rules and terms (CIRC-2), its loan limits, its name,
 * currency and sender with its template for `letterType` (CIRC-12); and the configuration's
 * version it is of (`KeptSetting`, decision 74).
 */
const selectDeskSetting = compiledOnce((db, v: { deskId: string; letterType: LetterType }) =>
  db
    .selectFrom('circulation_desks as d')
    .innerJoin('libraries as l', 'l.id', 'd.library_id')
    .innerJoin('institutions as i', 'i.id', 'd.institution_id')
    // A scalar subquery, not a join: the one row's table has no statistics until analysed, and
    // a join with the 2,200 rows the planner then assumes priced the statement past
    // `jit_above_cost` (25 ms of JIT compilation per call).
    .select((eb) => eb.selectFrom('configuration_version').select('version').as('configuration_version'))
    .select(['d.id', 'd.code', 'd.name', 'd.institution_id', 'd.library_id', 'l.name as library_name'])
    .select(['i.name as institution_name', 'i.code as institution_code', 'i.letters_from', 'i.currency'])
    .select((eb) => calendarColumns(eb))
    .select((eb) => [
      jsonArrayFrom(
        eb.selectFrom('terms_of_use_rules as r').selectAll('r').whereRef('r.institution_id', '=', 'i.id'),
      ).as('rules'),
      jsonArrayFrom(
        eb
          .selectFrom('terms_of_use as t')
          .select(['t.id', 't.loanable', 't.renewals_allowed', 't.loan_period_unit', 't.loan_period'])
          .select('t.fixed_due_date')
          .whereRef('t.institution_id', '=', 'i.id'),
      ).as('terms'),
      jsonArrayFrom(
        eb
          .selectFrom('loan_limits as ll')
          .select(LOAN_LIMIT_COLUMNS.map((c) => `ll.${c}` as const))
          .whereRef('ll.institution_id', '=', 'i.id'),
      ).as('limits'),
      jsonObjectFrom(
        eb
          .selectFrom('letter_templates as lt')
          .select(['lt.subject', 'lt.body'])
          .whereRef('lt.institution_id', '=', 'i.id')
          .where('lt.letter_type', '=', v.letterType),
      ).as('template'),
    ])
    .where('d.id', '=', v.deskId),
);

export type DeskSetting = ReturnType<typeof presentDeskSetting>;

/** The configuration's version alone (migration 0011), read instead of a kept setting's tables. */
const selectConfigurationVersion = compiledOnce((db, _v: Record<string, never>) =>
  db.selectFrom('configuration_version').select('version as configuration_version'),
);

/**
 * A desk's setting for one letter type as last read, with the configuration's version it is of.
 * Kept on the desk's place (`deskPlace`, one per database and desk): while the version read
 * with a desk operation's locks is the same, no table it was read from has changed, since every
 * change commits its new version with it (migration 0011). Decision 74.
 */
interface KeptSetting {
  version: number;
  setting: DeskSetting;
}

function presentDeskSetting(deskId: string, rows: Awaited<ReturnType<typeof selectDeskSetting>>['rows']) {
  const [row] = rows;
  if (!row) throw notFound('DESK_NOT_FOUND', 'No such circulation desk.', { deskId });
  const desk: DeskRow = {
    id: row.id,
    code: row.code,
    name: row.name,
    institutionId: row.institution_id,
    libraryId: row.library_id,
    libraryName: row.library_name,
  };
  const letter: LetterSetting = {
    institution: { name: row.institution_name, code: row.institution_code, letters_from: row.letters_from },
    template: row.template,
  };
  return {
    desk,
    calendar: toCalendar(row),
    rules: row.rules.map(toTermsRule),
    terms: row.terms as LendingTerms[],
    limits: row.limits,
    currency: row.currency,
    letter,
  };
}

/**
 * The desk's setting from its statement's rows (404 DESK_NOT_FOUND when none), kept on the
 * desk's place with the configuration's version it was read at. Read after a kept setting's
 * version changed, in a statement of its own: the configuration is not under the operation's
 * locks either way, and this read is as recent as the one it replaces.
 */
function keepDeskSetting(
  place: DeskPlace,
  letterType: LetterType,
  rows: Awaited<ReturnType<typeof selectDeskSetting>>['rows'],
): DeskSetting {
  // Shared by every operation at the desk until the configuration changes: frozen, so that no
  // operation can change what the next one reads.
  const setting = deepFreeze(presentDeskSetting(place.deskId, rows));
  const version = rows[0]?.configuration_version;
  if (version !== undefined) place.keptSettings.set(letterType, { version: Number(version), setting });
  return setting;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** How `lockAtDesk` takes its locks: all in one write, or (`retryingDeskLocks`) step by step. */
export type DeskLockAttempt = 'batched' | 'stepwise';

/** Where a desk is: its institution and library, which never change (config/resources.ts). */
export interface DeskPlace {
  deskId: string;
  institutionId: string;
  libraryId: string;
  /** The desk's settings as last read, per letter type (`KeptSetting`). */
  readonly keptSettings: Map<LetterType, KeptSetting>;
}

const deskPlaces = new WeakMap<object, Map<string, DeskPlace>>();

/**
 * The desk's institution and library, to authorize a desk operation before it locks anything.
 * Kept per database once read: neither can change (both are immutable in the configuration
 * API, and ids are never reused), and a desk deleted since is found missing by the operation's
 * own read of its setting (`lockAtDesk`). 404 DESK_NOT_FOUND when there is no such desk.
 */
export async function deskPlace(db: Db, deskId: string): Promise<DeskPlace> {
  const known = deskPlaces.get(db) ?? new Map<string, DeskPlace>();
  deskPlaces.set(db, known);
  const cached = known.get(deskId);
  if (cached) return cached;
  const row = await db
    .selectFrom('circulation_desks')
    .select(['institution_id', 'library_id'])
    .where('id', '=', deskId)
    .executeTakeFirst();
  if (!row) throw notFound('DESK_NOT_FOUND', 'No such circulation desk.', { deskId });
  const place: DeskPlace = {
    deskId,
    institutionId: row.institution_id,
    libraryId: row.library_id,
    keptSettings: new Map(),
  };
  known.set(deskId, place);
  return place;
}

/**
 * What a desk operation on a copy reads and locks first, in one write (decision 68): the
 * desk's setting (`selectDeskSetting`, 404 DESK_NOT_FOUND when it is gone), the lock of the copy's title's
 * queue (found by its barcode), the copy locked with that title's queue and the requests
 * holding it, and, when given, the patron locked with their standing (as `lockPatron`).
 * PostgreSQL runs them in order, each after the lock before it: the fixed lock order holds.
 * Run it through `retryingDeskLocks`: when the write guessed wrong, the first attempt throws and
 * the second locks step by step (the patron in a write after the item's). The requests come
 * only when the copy is of the title whose queue was locked (else, on a second attempt whose
 * copy moved again, null: the caller reads them afresh, `loadQueueAndHolding`). An unknown
 * barcode is refused as `lockItemByBarcode` refuses it.
 */
export async function lockAtDesk(
  trx: Executor,
  place: DeskPlace,
  v: { letterType: LetterType; barcode: string },
  patron: PatronToLock,
  attempt: DeskLockAttempt,
): Promise<{
  setting: DeskSetting;
  item: LockedItem;
  requests: JsonRequestRow[] | null;
  patron: LockedPatron;
}>;
export async function lockAtDesk(
  trx: Executor,
  place: DeskPlace,
  v: { letterType: LetterType; barcode: string },
  patron: null,
  attempt: DeskLockAttempt,
): Promise<{ setting: DeskSetting; item: LockedItem; requests: JsonRequestRow[] | null; patron: null }>;
export async function lockAtDesk(
  trx: Executor,
  place: DeskPlace,
  v: { letterType: LetterType; barcode: string },
  patron: PatronToLock | null,
  attempt: DeskLockAttempt,
): Promise<{
  setting: DeskSetting;
  item: LockedItem;
  requests: JsonRequestRow[] | null;
  patron: LockedPatron | null;
}> {
  const { after, ...locked } = await lockAtDeskWith(trx, place, v, patron, null, attempt);
  return locked;
}

/**
 * `lockAtDesk` for a return or scan in (CIRC-6, CIRC-9, CIRC-11), with what it locks and reads
 * after the copy in the same write (decision 72): the copy's open loan, the loan's patron, the
 * copy's open transit, and what a fine is computed from (`OpenLoanOfCopy`).
 */
export async function lockAtDeskToReturn(
  trx: Executor,
  place: DeskPlace,
  v: { barcode: string },
  attempt: DeskLockAttempt,
) {
  const { after, ...locked } = await lockAtDeskWith(
    trx,
    place,
    { letterType: 'return_receipt', barcode: v.barcode },
    null,
    openLoanOfCopy,
    attempt,
  );
  return { ...locked, ...(after as OpenLoanOfCopy) };
}

/**
 * What a desk operation locks and reads after the copy's lock and before the patron's: in the
 * one write, by statements that find the copy again by its barcode (which cannot change while
 * the copy is locked), or, step by step, by the copy's id.
 */
interface AfterTheCopy<T> {
  statements(trx: Executor, institutionId: string, barcode: string): readonly CompiledQuery[];
  /** From the statements' results; null when they are not of the copy locked (guessed wrong). */
  fromResults(results: readonly QueryResult<unknown>[], item: LockedItem): T | null;
  stepwise(trx: Executor, item: LockedItem): Promise<T>;
}

async function lockAtDeskWith<T>(
  trx: Executor,
  place: DeskPlace,
  v: { letterType: LetterType; barcode: string },
  patron: PatronToLock | null,
  after: AfterTheCopy<T> | null,
  attempt: DeskLockAttempt,
): Promise<{
  setting: DeskSetting;
  item: LockedItem;
  requests: JsonRequestRow[] | null;
  patron: LockedPatron | null;
  after: T | null;
}> {
  const { institutionId } = place;
  // Step by step, what comes after the item is locked in writes of its own.
  const batched = attempt === 'batched';
  const afterStatements = after && batched ? after.statements(trx, institutionId, v.barcode) : [];
  const patronLocks =
    patron && batched ? patronStatements(trx, institutionId, patron.id, patron.now, patron.options) : [];
  // The desk's setting, or only the configuration's version when a setting of it is kept.
  const kept = place.keptSettings.get(v.letterType);
  const [settingRows, queue, firstTry, ...rest] = await pipelined(trx, [
    kept
      ? selectConfigurationVersion.statement(trx, {})
      : selectDeskSetting.statement(trx, { deskId: place.deskId, letterType: v.letterType }),
    lockQueueOfBarcodeStatement.statement(trx, { institutionId, barcode: v.barcode }),
    lockItemStatement.statement(trx, 'barcode with its requests', { institutionId, key: v.barcode }),
    ...afterStatements,
    ...patronLocks,
  ] as const);
  const setting =
    kept && settingRows.rows[0]?.configuration_version === kept.version
      ? kept.setting
      : keepDeskSetting(
          place,
          v.letterType,
          kept
            ? (await selectDeskSetting(trx, { deskId: place.deskId, letterType: v.letterType })).rows
            : (settingRows.rows as Awaited<ReturnType<typeof selectDeskSetting>>['rows']),
        );
  const locked = queue.rows[0];
  const first = firstTry.rows[0];
  // The one write guessed wrong (decision 70): no copy at the first try, when locks written
  // behind it forbid a second try (it would lock the copy after them), or a copy of another
  // title than the queue locked (its own title's requests are not under a lock held here).
  // Rolled back and run once more step by step (`retryingDeskLocks`).
  const lockedBehind = patronLocks.length > 0 || afterStatements.length > 0;
  if (batched && ((!first && lockedBehind) || (first && locked?.id !== first.bib_id))) {
    throw new DeskLocksMissed();
  }
  // The second try of `lockItemOnce`, when the first found nothing (its row lock, if the
  // first try took one, is already held; no lock of this write comes after it).
  const row = first ?? (await lockItemRow(trx, institutionId, 'barcode', v.barcode));
  if (!row) return refuseBarcodeNotHere(trx, v.barcode);
  const item = presentLockedItem(row);
  let following: T | null = null;
  if (after) {
    following = batched
      ? after.fromResults(rest.slice(0, afterStatements.length), item)
      : await after.stepwise(trx, item);
    if (following === null) throw new DeskLocksMissed();
  }
  const [found, counted] = rest.slice(afterStatements.length) as [PatronFound?, StandingFound?];
  return {
    setting,
    item,
    // Moved again between this attempt's queue lock and item lock: the caller reads them afresh.
    requests: locked && locked.id === item.bibId && row.requests ? row.requests : null,
    patron: !patron
      ? null
      : found
        ? presentLockedPatron(patron.id, found, counted)
        : await lockPatron(trx, institutionId, patron.id, patron.now, patron.options),
    after: following,
  };
}

/** What a return locks and reads after the copy (`lockAtDeskToReturn`). */
export interface OpenLoanOfCopy {
  /** The copy's open loan (active, lost or claimed returned), locked; null for a scan in. */
  loan: LoanRow | null;
  /** The loan's patron, locked (for the fees; a return is never refused, so no blocks are read). */
  patron: LockedPatron | null;
  /** The copy's open transit, locked (CIRC-9). */
  transit: OpenTransit | null;
  /** CIRC-11: the loan's terms of use and the calendar of the copy's home library. */
  fineBasis: { terms: TermsRow; ownerCalendar: LibraryCalendar } | null;
}

type LoanRow = Selectable<Database['loans']>;

/** The copy's open loan, found by the copy's barcode (see `AfterTheCopy`). */
const openLoanOfBarcode = (
  eb: ExpressionBuilder<Database, 'loans'>,
  institutionId: string,
  barcode: string,
) =>
  eb.and([
    eb('loans.institution_id', '=', institutionId),
    eb('loans.item_id', '=', (sub) =>
      sub
        .selectFrom('items')
        .select('items.id')
        .where('items.institution_id', '=', institutionId)
        .where('items.barcode', '=', barcode),
    ),
    eb('loans.status', '<>', constant('returned')),
  ]);

const lockOpenLoanOfBarcode = compiledOnce((trx, v: { institutionId: string; barcode: string }) =>
  trx
    .selectFrom('loans')
    .selectAll()
    .where((eb) => openLoanOfBarcode(eb, v.institutionId, v.barcode))
    .forUpdate(),
);

/** The patron of the copy's open loan, locked after the loan (the fixed order). */
const lockPatronOfOpenLoanOfBarcode = compiledOnce((trx, v: { institutionId: string; barcode: string }) =>
  patronColumns(trx.selectFrom('patrons'))
    .where('institution_id', '=', v.institutionId)
    .where('id', '=', (eb) =>
      eb
        .selectFrom('loans')
        .select('loans.patron_id')
        .where((w) => openLoanOfBarcode(w, v.institutionId, v.barcode)),
    )
    .forUpdate(),
);

/** CIRC-11: the open loan's terms of use and its copy's home library's calendar, by the copy's barcode. */
const selectFineBasisOfBarcode = compiledOnce((trx, v: { institutionId: string; barcode: string }) =>
  trx
    .selectFrom('loans')
    .innerJoin('terms_of_use as t', (j) =>
      j.onRef('t.institution_id', '=', 'loans.institution_id').onRef('t.id', '=', 'loans.terms_of_use_id'),
    )
    .innerJoin('items as it', (j) =>
      j.onRef('it.institution_id', '=', 'loans.institution_id').onRef('it.id', '=', 'loans.item_id'),
    )
    .innerJoin('holdings as h', (j) =>
      j.onRef('h.institution_id', '=', 'it.institution_id').onRef('h.id', '=', 'it.holding_id'),
    )
    .innerJoin('libraries as l', 'l.id', 'h.library_id')
    .innerJoin('institutions as i', 'i.id', 'l.institution_id')
    .selectAll('t')
    .select(['loans.id as loan_id', 'l.id as home_library_id'])
    .select((eb) => calendarColumns(eb as unknown as ExpressionBuilder<CalendarSource, 'l' | 'i'>))
    .where((eb) => openLoanOfBarcode(eb, v.institutionId, v.barcode)),
);

const openLoanOfCopy: AfterTheCopy<OpenLoanOfCopy> = {
  statements: (trx, institutionId, barcode) => [
    lockOpenLoanOfBarcode.statement(trx, { institutionId, barcode }),
    lockPatronOfOpenLoanOfBarcode.statement(trx, { institutionId, barcode }),
    lockOpenTransitOfBarcode.statement(trx, { institutionId, barcode }),
    selectFineBasisOfBarcode.statement(trx, { institutionId, barcode }),
  ],
  fromResults(results, item) {
    const [loans, patrons, transits, bases] = results as [
      QueryResult<LoanRow>,
      PatronFound,
      QueryResult<Parameters<typeof presentOpenTransit>[0]>,
      Awaited<ReturnType<typeof selectFineBasisOfBarcode>>,
    ];
    const loan = loans.rows[0] ?? null;
    const transit = transits.rows[0] ?? null;
    const basis = bases.rows[0];
    // Each found the copy again by its barcode; any row of another copy or loan is a wrong guess.
    if (loan && loan.item_id !== item.id) return null;
    if (transit && transit.item_id !== item.id) return null;
    if (!loan)
      return patrons.rows.length > 0 || basis
        ? null
        : { loan, patron: null, transit: transit && presentOpenTransit(transit), fineBasis: null };
    if (patrons.rows[0]?.id !== loan.patron_id || basis?.loan_id !== loan.id) return null;
    // The holding's library can change without the copy's lock (a holding moved): the fine's
    // calendar must be that of the home library the rest of the return uses.
    if (basis.home_library_id !== item.homeLibraryId) return null;
    const { loan_id, home_library_id, time_zone, hours, closed, ...terms } = basis;
    return {
      loan,
      patron: presentLockedPatron(loan.patron_id, patrons, undefined),
      transit: transit && presentOpenTransit(transit),
      fineBasis: { terms, ownerCalendar: toCalendar({ time_zone, hours, closed }) },
    };
  },
  async stepwise(trx, item) {
    const institutionId = item.institutionId;
    const [loan] = (await lockOpenLoanOfItem(trx, { institutionId, itemId: item.id })).rows;
    // No blocks are read (a return is never refused), so the patron's lock needs no clock.
    const patron = loan
      ? await lockPatron(trx, institutionId, loan.patron_id, new Date(0), { blocks: false })
      : null;
    const transit = await loadOpenTransit(trx, institutionId, item.id);
    if (!loan) return { loan: null, patron, transit, fineBasis: null };
    const [terms, calendar] = await pipelined(trx, [
      selectTerms.statement(trx, { institutionId, termsOfUseId: loan.terms_of_use_id }),
      selectCalendar.statement(trx, { libraryId: item.homeLibraryId }),
    ] as const);
    return {
      loan,
      patron,
      transit,
      fineBasis: {
        terms: termsFound(terms.rows, loan.terms_of_use_id),
        ownerCalendar: calendarFound(calendar.rows, item.homeLibraryId),
      },
    };
  },
};

/**
 * What `lockAtDesk` throws when its one write guessed wrong; the transaction rolls back with
 * every lock it took.
 */
class DeskLocksMissed extends Error {
  constructor() {
    super('the desk operation locked another title than its copy is of, or no copy: run it again');
  }
}

/**
 * Runs a desk operation's transaction with its locks in one write (`lockAtDesk`), and once
 * more, locking step by step, when that write guessed wrong: a catalogue change moved the copy
 * to another title as the locks were taken, or the barcode found no copy (decision 70). The
 * second run's queue lock finds the copy's new title; its patron lock comes after the item's.
 */
export async function retryingDeskLocks<T>(run: (attempt: DeskLockAttempt) => Promise<T>): Promise<T> {
  try {
    return await run('batched');
  } catch (error) {
    if (error instanceof DeskLocksMissed) return run('stepwise');
    throw error;
  }
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
  author: string;
  materialTypeId: string;
  itemPolicyId: string;
  locationId: string;
  homeLibraryId: string;
  homeLibraryName: string;
  inPlace: boolean;
  processType: Database['items']['process_type'];
  withdrawn: boolean;
  /** Volume / issue: a title request is for one volume (CIRC-7). */
  enumeration: string;
  /** A closed request left it on an expired hold shelf list (CIRC-8): scanning or lending clears that. */
  onExpiredHoldShelf: boolean;
}

/**
 * An item's row locked `FOR UPDATE` (the second lock in the fixed order, after a request
 * queue), with its holding's library (and its name) and location and its record's title in the same
 * statement (FOR UPDATE OF the item alone), and whether a closed request left it on an
 * expired hold shelf list (CIRC-8). That flag is read in this statement's snapshot, which is
 * safe because every writer of a title's requests holds the title's queue lock, taken by the
 * caller in an earlier statement (architecture.md).
 */
const lockItemStatement = compiledPerShape(
  (trx, v: { institutionId: string; key: string }, by: 'barcode' | 'id' | 'barcode with its requests') =>
    trx
      .selectFrom('items as i')
      .innerJoin('holdings as h', (j) =>
        j.onRef('h.institution_id', '=', 'i.institution_id').onRef('h.id', '=', 'i.holding_id'),
      )
      .innerJoin('bib_records as b', (j) =>
        j.onRef('b.institution_id', '=', 'i.institution_id').onRef('b.id', '=', 'i.bib_id'),
      )
      .innerJoin('libraries as hl', 'hl.id', 'h.library_id')
      .select([
        'i.id',
        'i.institution_id',
        'i.barcode',
        'i.bib_id',
        'i.enumeration',
        'hl.name as home_library_name',
      ])
      .select(['i.material_type_id', 'i.item_policy_id', 'i.in_place', 'i.process_type', 'i.withdrawn_at'])
      .select(['h.library_id', 'h.location_id', 'b.title', 'b.author'])
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('requests as r')
              .select('r.id')
              .whereRef('r.institution_id', '=', 'i.institution_id')
              .whereRef('r.item_id', '=', 'i.id')
              .where(leftOnExpiredHoldShelf),
          )
          .as('on_expired_hold_shelf'),
      )
      // CIRC-4 / CIRC-7: the queue of the locked row's title and volume and the requests
      // holding the copy, in this statement too when the caller took that title's queue lock
      // in an earlier statement (`lockAtDesk` checks that it is the same title).
      .select(() =>
        (
          (by === 'barcode with its requests'
            ? jsonArrayFrom(
                queueAndHoldingRequests({
                  institutionId: v.institutionId,
                  itemId: sql.ref<string>('i.id'),
                  bibId: sql.ref<string>('i.bib_id'),
                  volume: sql.ref<string>('i.enumeration'),
                }),
              )
            : sql<null>`null`) as RawBuilder<JsonRequestRow[] | null>
        ).as('requests'),
      )
      .where('i.institution_id', '=', v.institutionId)
      .where(by === 'id' ? 'i.id' : 'i.barcode', '=', v.key)
      .forUpdate('i'),
);

async function lockItemRow(trx: Executor, institutionId: string, by: 'barcode' | 'id', key: string) {
  return (await lockItemStatement(trx, by, { institutionId, key })).rows[0];
}

/**
 * Runs the item lock, and once more when it found nothing: when the lock waited for a
 * transaction that moved the item to another holding (a catalogue re-import), PostgreSQL
 * re-checks the join with the holding the statement first saw, and the item drops out. The
 * second run, a new statement, sees the new holding. An item that is not there costs the
 * second statement too, on a path that ends in an error anyway.
 */
async function lockItemOnce<T>(lock: () => Promise<T | undefined>): Promise<T | undefined> {
  return (await lock()) ?? (await lock());
}

/**
 * The item with this barcode at the institution, locked (see `lockItemStatement`). 404
 * ITEM_NOT_FOUND for a barcode unknown anywhere; 422 ITEM_NOT_OWNED_HERE for another member's
 * item (network lending: FN-5, later).
 */
export async function lockItemByBarcode(
  trx: Executor,
  institutionId: string,
  barcode: string,
): Promise<LockedItem> {
  const row = await lockItemOnce(() => lockItemRow(trx, institutionId, 'barcode', barcode));
  if (!row) return refuseBarcodeNotHere(trx, barcode);
  return presentLockedItem(row);
}

/** 422 ITEM_NOT_OWNED_HERE when another member has an item with this barcode, else 404 ITEM_NOT_FOUND. */
async function refuseBarcodeNotHere(trx: Executor, barcode: string): Promise<never> {
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

/** The item by id, locked (see `lockItemStatement`). */
export async function lockItemById(
  trx: Executor,
  institutionId: string,
  itemId: string,
): Promise<LockedItem> {
  const row = await lockItemOnce(() => lockItemRow(trx, institutionId, 'id', itemId));
  if (!row) throw notFound('ITEM_NOT_FOUND', 'No such item in this institution.', { itemId });
  return presentLockedItem(row);
}

function presentLockedItem(row: NonNullable<Awaited<ReturnType<typeof lockItemRow>>>): LockedItem {
  return {
    id: row.id,
    institutionId: row.institution_id,
    barcode: row.barcode,
    bibId: row.bib_id,
    title: row.title,
    author: row.author,
    materialTypeId: row.material_type_id,
    itemPolicyId: row.item_policy_id,
    locationId: row.location_id,
    homeLibraryId: row.library_id,
    homeLibraryName: row.home_library_name,
    inPlace: row.in_place,
    processType: row.process_type,
    withdrawn: row.withdrawn_at !== null,
    enumeration: row.enumeration,
    onExpiredHoldShelf: Boolean(row.on_expired_hold_shelf),
  };
}

export interface LockedPatron {
  id: string;
  institutionId: string;
  name: string;
  /** The patron's primary identifier (their card number), as a request's answer shows it. */
  identifier: string;
  userGroupId: string;
  expiryDate: string | null;
  status: 'active' | 'inactive';
  email: string | null;
  blocks: { type: string; reason: string }[];
  /** Asked for with `activeLoans: true`, else empty. */
  activeLoans: ActiveLoanCount[];
}

/** A patron's active loans at one owner and of one material type (for the loan limits, CIRC-2). */
export interface ActiveLoanCount {
  institutionId: string;
  materialTypeId: string;
  n: number;
}

/** PAT-7: a patron's active blocks, oldest first (a subquery for a statement after the patron lock). */
export function activeBlocks(
  eb: ExpressionBuilder<Database, never>,
  institutionId: string,
  patronId: string,
  now: Date,
) {
  return eb
    .selectFrom('patron_blocks')
    .select(['block_type', 'reason'])
    .where('institution_id', '=', institutionId)
    .where('patron_id', '=', patronId)
    .where('removed_at', 'is', null)
    .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', now)]))
    .orderBy('created_at')
    .orderBy('id');
}

/** The columns of a patron a desk operation reads (`presentLockedPatron`). */
function patronColumns<DB extends Database, TB extends 'patrons'>(query: SelectQueryBuilder<DB, TB, object>) {
  return query
    .select(['id', 'institution_id', 'first_name', 'last_name', 'preferred_name', 'user_group_id'])
    .select(['primary_identifier', 'expiry_date', 'status', 'email', 'emails']);
}

/**
 * The patron's row locked `FOR UPDATE` (the last lock in the fixed order), then in a second
 * statement (written with the first), after the lock and so in a snapshot that sees what the lock waited for, the
 * patron's active blocks and, when asked, the active loans by owner and material type (CIRC-2:
 * counted under the patron lock so that two desks cannot both see one loan below a limit).
 * `blocks: false` without `activeLoans` skips the second statement (blocks then read empty).
 */
const selectPatron = compiledPerShape(
  (trx, v: { institutionId: string; patronId: string }, lock: 'lock' | 'read') => {
    const query = patronColumns(trx.selectFrom('patrons'))
      .where('institution_id', '=', v.institutionId)
      .where('id', '=', v.patronId);
    return lock === 'lock' ? query.forUpdate() : query;
  },
);

const selectPatronStanding = compiledOnce(
  (trx, v: { institutionId: string; patronId: string; now: Date; wantBlocks: boolean; wantLoans: boolean }) =>
    trx.selectNoFrom((eb) => [
      // PAT-7: blocks carried from a home record arrive with linked accounts (a later issue).
      jsonArrayFrom(
        activeBlocks(eb, v.institutionId, v.patronId, v.now).where(sql<boolean>`${v.wantBlocks}`),
      ).as('blocks'),
      // A network limit counts the patron's loans across all members; until linked
      // accounts exist (a later issue) that is this same patron record's loans anywhere.
      jsonArrayFrom(
        eb
          .selectFrom('loans as l')
          .innerJoin('items as i', (j) =>
            j.onRef('i.institution_id', '=', 'l.institution_id').onRef('i.id', '=', 'l.item_id'),
          )
          .select(['l.institution_id', 'i.material_type_id', (c) => c.fn.countAll<number>().as('n')])
          .where('l.patron_id', '=', v.patronId)
          .where('l.status', '=', constant('active'))
          .where(sql<boolean>`${v.wantLoans}`)
          .groupBy(['l.institution_id', 'i.material_type_id']),
      ).as('loans'),
    ]),
);

export interface PatronLockOptions {
  lock?: boolean;
  blocks?: boolean;
  activeLoans?: boolean;
}

/** The patron a desk operation locks after the item (`lockAtDesk`). */
type PatronToLock = { id: string; now: Date; options: PatronLockOptions };

/**
 * The statements of `lockPatron`: the patron's row (locked unless `lock: false`), then, when
 * blocks or active loans are wanted, the standing read after it. A caller may write them after
 * its own earlier locks in one batch (decision 68): PostgreSQL still runs them in order.
 */
function patronStatements(
  trx: Executor,
  institutionId: string,
  patronId: string,
  now: Date,
  options: PatronLockOptions,
) {
  const wantBlocks = options.blocks !== false;
  const wantLoans = options.activeLoans === true;
  const lookup = selectPatron.statement(trx, options.lock !== false ? 'lock' : 'read', {
    institutionId,
    patronId,
  });
  return wantBlocks || wantLoans
    ? ([
        lookup,
        selectPatronStanding.statement(trx, { institutionId, patronId, now, wantBlocks, wantLoans }),
      ] as const)
    : ([lookup] as const);
}

/** The patron's row locked, for a batch of a caller's own (`pipelined`); no standing is read. */
export function patronLockStatement(trx: Executor, institutionId: string, patronId: string) {
  return selectPatron.statement(trx, 'lock', { institutionId, patronId });
}

type PatronFound = Awaited<ReturnType<typeof selectPatron>>;
type StandingFound = Awaited<ReturnType<typeof selectPatronStanding>>;

/** The patron as `lockPatron` gives it, from its statements' results (404 PATRON_NOT_FOUND). */
export function presentLockedPatron(
  patronId: string,
  found: PatronFound,
  counted: StandingFound | undefined,
): LockedPatron {
  const [row] = found.rows;
  if (!row) throw notFound('PATRON_NOT_FOUND', 'No such patron in this institution.', { patronId });
  const standing = counted?.rows[0] ?? { blocks: [], loans: [] };
  const emails = (row.emails ?? []) as { address?: string; preferred?: boolean }[];
  const preferred = emails.find((e) => e.preferred)?.address ?? emails[0]?.address ?? row.email;
  return {
    id: row.id,
    institutionId: row.institution_id,
    name: patronName(row),
    identifier: row.primary_identifier,
    userGroupId: row.user_group_id,
    expiryDate: row.expiry_date,
    status: row.status,
    email: preferred ?? null,
    blocks: standing.blocks.map((b) => ({ type: b.block_type, reason: b.reason })),
    activeLoans: standing.loans.map((l) => ({
      institutionId: l.institution_id,
      materialTypeId: l.material_type_id,
      n: Number(l.n),
    })),
  };
}

export async function lockPatron(
  trx: Executor,
  institutionId: string,
  patronId: string,
  now: Date,
  options: PatronLockOptions = {},
): Promise<LockedPatron> {
  const statements = patronStatements(trx, institutionId, patronId, now, options);
  // Both statements in one write (decision 68): the standing's statement still starts after
  // the lock is granted, so it sees what the lock waited for.
  const [found, counted] =
    statements.length === 2 ? await pipelined(trx, statements) : [await trx.executeQuery(statements[0])];
  return presentLockedPatron(patronId, found, counted);
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
  return rows.map(toTermsRule);
}

export function toTermsRule(
  r: Omit<Selectable<Database['terms_of_use_rules']>, 'updated_at' | 'institution_id'>,
): TermsOfUseRule {
  return {
    id: r.id,
    priority: r.priority,
    userGroupId: r.user_group_id,
    itemPolicyId: r.item_policy_id,
    materialTypeId: r.material_type_id,
    locationId: r.location_id,
    termsOfUseId: r.terms_of_use_id,
    isFallback: r.is_fallback,
  };
}

const selectTerms = compiledOnce((db, v: { institutionId: string; termsOfUseId: string }) =>
  db
    .selectFrom('terms_of_use')
    .selectAll()
    .where('institution_id', '=', v.institutionId)
    .where('id', '=', v.termsOfUseId),
);

export async function loadTerms(db: Executor, institutionId: string, termsOfUseId: string) {
  return termsFound((await selectTerms(db, { institutionId, termsOfUseId })).rows, termsOfUseId);
}

/** The terms `selectTerms` read; terms that are not the institution's are a broken reference. */
function termsFound<T>(rows: T[], termsOfUseId: string): T {
  const [row] = rows;
  if (!row) throw new Error(`terms of use ${termsOfUseId} are not the institution's`);
  return row;
}
export type TermsRow = Awaited<ReturnType<typeof loadTerms>>;

const LOAN_LIMIT_COLUMNS = ['id', 'scope', 'user_group_id', 'material_type_id', 'max_loans'] as const;
export type LoanLimitRow = Pick<Selectable<Database['loan_limits']>, (typeof LOAN_LIMIT_COLUMNS)[number]>;

/**
 * CIRC-2: every loan limit of the owner with the patron's current count under it, from the
 * active loans counted under the patron lock (`lockPatron` with `activeLoans`).
 */
export function countLimits(
  limits: LoanLimitRow[],
  activeLoans: ActiveLoanCount[],
  institutionId: string,
): LoanLimitCount[] {
  const here = activeLoans.filter((r) => r.institutionId === institutionId);
  const sum = (rows: ActiveLoanCount[]) => rows.reduce((s, r) => s + r.n, 0);
  return limits.map((l) => ({
    id: l.id,
    scope: l.scope,
    userGroupId: l.user_group_id,
    materialTypeId: l.material_type_id,
    maxLoans: l.max_loans,
    currentLoans:
      l.scope === 'network'
        ? sum(activeLoans)
        : sum(
            l.material_type_id === null ? here : here.filter((r) => r.materialTypeId === l.material_type_id),
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

/**
 * CIRC-13: an event of the item's history with the item's new state (in place, and what it is
 * doing), in one statement; with no new state, the history entry alone.
 */
export async function recordHistoryWithItemState(
  trx: Executor,
  state: { in_place: boolean; process_type: Database['items']['process_type'] } | null,
  e: HistoryEntry,
  /**
   * The transaction's last write: COMMIT goes with it (`pipelined`, decision 68); `after`: the
   * writes this one is sent after, in the same write (decision 72).
   */
  options: { commit?: boolean; after?: readonly CompiledQuery[] } = {},
): Promise<void> {
  const { after = [], ...pipelining } = options;
  const statement = state
    ? insertHistoryWithItemState.statement(trx, {
        in_place: state.in_place,
        process_type: state.process_type,
        ...slotValues('history_', historyRow(e)),
      })
    : insertHistory.statement(trx, slotValues('history_', historyRow(e)));
  await pipelined(trx, [...after, statement], pipelining);
}

const insertHistoryWithItemState = compiledOnce((trx, v: Record<string, unknown>) =>
  trx
    .with('item', (db) =>
      db
        .updateTable('items')
        .set({
          in_place: v.in_place as boolean,
          process_type: v.process_type as Database['items']['process_type'],
          updated_at: v.history_at as Date,
        })
        .where('institution_id', '=', v.history_institution_id as string)
        .where('id', '=', v.history_item_id as string)
        .returning('id'),
    )
    .insertInto('item_history')
    .values(rowOfSlots(v, 'history_', HISTORY_COLUMNS) as ReturnType<typeof historyRow>),
);

/** CIRC-13: one event of the item's history, in the use case's transaction. */
export async function recordHistory(trx: Executor, e: HistoryEntry): Promise<void> {
  await insertHistory(trx, slotValues('history_', historyRow(e)));
}

const insertHistory = compiledOnce((trx, v: Record<string, unknown>) =>
  trx
    .insertInto('item_history')
    .values(rowOfSlots(v, 'history_', HISTORY_COLUMNS) as ReturnType<typeof historyRow>),
);

/** The `item_history` row of an entry (for a statement that writes it with its event). */
export function historyRow(e: HistoryEntry) {
  return {
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
  };
}

/**
 * CIRC-4: a new loan with what goes with it, in one statement (data-modifying CTEs): the loan
 * row (its id made by the caller), the item marked on loan, the item history entries in order
 * (CIRC-13) and the loan receipt in the outbox (CIRC-12). One statement instead of four: each
 * costs a round trip (docs/benchmarks.md). The foreign keys are checked at the statement's end,
 * when the loan exists.
 */
export async function writeLoan(
  trx: Executor,
  write: {
    /** A waiting title request of another patron aimed at the copy, which loses it (CIRC-4). */
    releasedRequestId: string | null;
    loan: LoanToWrite;
    history: HistoryEntry[];
    letter: Insertable<Database['letters']>;
    now: Date;
  },
  /** The transaction's last write: COMMIT goes with it (`pipelined`, decision 68). */
  options: { commit?: boolean } = {},
): Promise<void> {
  const statement = insertLoanWithItsWrites.statement(trx, write.history.length, {
    now: write.now,
    releasedRequestId: write.releasedRequestId,
    ...slotValues('loan_', write.loan),
    ...slotValues('letter_', write.letter),
    ...historySlotValues(write.history),
  });
  await pipelined(trx, [statement], options);
}

/** The columns of a new loan (the lend writes each of them: `writeLoan`). */
const LOAN_COLUMNS = [
  'id',
  'institution_id',
  'item_id',
  'patron_id',
  'terms_of_use_id',
  'desk_id',
  'desk_institution_id',
  'desk_library_id',
  'loaned_by',
  'loaned_at',
  'due_at',
] as const;
export type LoanToWrite = Pick<Insertable<Database['loans']>, (typeof LOAN_COLUMNS)[number]> & { id: string };

const HISTORY_COLUMNS = everyColumnOf<ReturnType<typeof historyRow>>()(
  'institution_id',
  'item_id',
  'at',
  'event',
  'acting_institution_id',
  'library_id',
  'desk_id',
  'operator_staff_id',
  'patron_id',
  'loan_id',
  'details',
);

const LETTER_COLUMNS = everyColumnOf<ReturnType<typeof letterRow>>()(
  'id',
  'institution_id',
  'patron_id',
  'letter_type',
  'to_address',
  'from_address',
  'subject',
  'body',
  'message_id',
  'created_at',
  'next_attempt_at',
);

/** Entries of an item's history named for `historyRowsOfSlots`. */
function historySlotValues(history: HistoryEntry[]): Record<string, unknown> {
  return Object.assign({}, ...history.map((e, n) => slotValues(`history${n}_`, historyRow(e))));
}

/** As many history rows of stand-ins as a statement's shape says (`historySlotValues`). */
function historyRowsOfSlots(v: Record<string, unknown>, entries: number) {
  return Array.from(
    { length: entries },
    (_, n) => rowOfSlots(v, `history${n}_`, HISTORY_COLUMNS) as ReturnType<typeof historyRow>,
  );
}

const insertLoanWithItsWrites = compiledPerShape((trx, v: Record<string, unknown>, historyEntries: number) =>
  trx
    .with('loan', (db) =>
      db
        .insertInto('loans')
        .values(rowOfSlots(v, 'loan_', LOAN_COLUMNS) as LoanToWrite)
        .returning('id'),
    )
    .with('item', (db) =>
      db
        .updateTable('items')
        .set({ in_place: false, process_type: 'loan', updated_at: v.now as Date })
        .where('institution_id', '=', v.loan_institution_id as string)
        .where('id', '=', v.loan_item_id as string)
        .returning('id'),
    )
    // No row when no request is released (its id is null).
    .with('released', (db) =>
      db
        .updateTable('requests')
        .set({ item_id: null, updated_at: v.now as Date })
        .where('institution_id', '=', v.loan_institution_id as string)
        .where('id', '=', v.releasedRequestId as string)
        .where('item_id', '=', v.loan_item_id as string)
        .returning('id'),
    )
    .with('history', (db) =>
      db.insertInto('item_history').values(historyRowsOfSlots(v, historyEntries)).returning('id'),
    )
    .insertInto('letters')
    .values(rowOfSlots(v, 'letter_', LETTER_COLUMNS) as Insertable<Database['letters']>)
    .onConflict((oc) => oc.column('message_id').doNothing()),
);

/**
 * CIRC-12: a letter in the outbox, written in the same transaction as its event, in the
 * institution's template for the type when it has one (the given subject and body are then
 * the `{{subject}}` and `{{body}}` placeholders; `values` adds more) and with its sender.
 * letters/delivery.ts sends it by SMTP under its stable message id.
 */
export async function writeLetter(trx: Executor, letter: LetterToWrite): Promise<string | null> {
  return insertLetter(trx, letterRow(letter, await composeLetter(trx, letter)));
}

/** A composed letter into the outbox; null when one with its Message-ID is there (a repeated step). */
async function insertLetter(trx: Executor, row: ReturnType<typeof letterRow>): Promise<string | null> {
  const [written] = (await insertLetterOnce(trx, slotValues('letter_', row))).rows;
  return written?.id ?? null;
}

/** `insertLetter`'s statement, to be sent with others (`pipelined`); a repeated message id writes nothing. */
export function insertLetterStatement(trx: Executor, row: ReturnType<typeof letterRow>): CompiledQuery {
  return insertLetterOnce.statement(trx, slotValues('letter_', row));
}

const insertLetterOnce = compiledOnce((trx, v: Record<string, unknown>) =>
  trx
    .insertInto('letters')
    .values(rowOfSlots(v, 'letter_', LETTER_COLUMNS) as Insertable<Database['letters']>)
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('id'),
);

export interface LetterToWrite extends LetterInput {
  to: string | null;
  messageId: string;
  at: Date;
}

/** The outbox row of a composed letter (`writeLetter`, or a use case that writes it with its event). */
export function letterRow(letter: LetterToWrite, content: { subject: string; body: string; from: string }) {
  return {
    // In time order, as a loan's: every loan and return writes a receipt, and a random id put
    // each in a random leaf of the outbox's primary key (decision 73).
    id: newRowId(),
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
  };
}

/**
 * CIRC-11 / INV-4: sets each loan's one overdue fee to the given amount, in one statement for
 * any number of loans (the return sets one, the daily job a batch). What has been paid or
 * waived (original minus balance) stays taken off the new amount; a fee already at the amount
 * is left alone.
 */
export async function setOverdueFees(trx: Executor, fees: OverdueFee[], now: Date): Promise<number> {
  if (fees.length === 0) return 0;
  const result = await trx.executeQuery(overdueFeesStatement(trx, fees, now));
  return Number(result.numAffectedRows ?? 0);
}

interface OverdueFee {
  institutionId: string;
  patronId: string;
  loanId: string;
  itemId: string;
  currency: string;
  amountMinor: number;
}

/** `setOverdueFees`' statement (for at least one fee), to be sent with others (`pipelined`). */
export function overdueFeesStatement(trx: Executor, fees: OverdueFee[], now: Date): CompiledQuery {
  const column = <K extends keyof OverdueFee>(k: K) => fees.map((f) => f[k]);
  return sql`INSERT INTO fees (institution_id, patron_id, loan_id, item_id, fee_type, status,
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
    WHERE GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor) <> fees.original_minor`.compile(
    trx,
  );
}

/** CIRC-6: the item's open loan (active, or lost and now back), locked, for its return. */
const lockOpenLoanOfItem = compiledOnce((trx, v: { institutionId: string; itemId: string }) =>
  trx
    .selectFrom('loans')
    .selectAll()
    .where('institution_id', '=', v.institutionId)
    .where('item_id', '=', v.itemId)
    .where('status', '<>', constant('returned'))
    .forUpdate(),
);

/** CIRC-6: the loan closed as returned at a desk (by whom, where, when). */
export const closeLoanAsReturned = compiledOnce(
  (
    trx,
    v: {
      institutionId: string;
      loanId: string;
      now: Date;
      deskId: string;
      deskInstitutionId: string;
      staffId: string;
    },
  ) =>
    trx
      .updateTable('loans')
      .set({
        status: 'returned',
        returned_at: v.now,
        return_desk_id: v.deskId,
        return_institution_id: v.deskInstitutionId,
        returned_by: v.staffId,
      })
      .where('institution_id', '=', v.institutionId)
      .where('id', '=', v.loanId),
);

/**
 * CIRC-5: what a renewal locks and reads, in the fixed order (the item, the loan, the patron
 * with their standing), then `queue` (the title's queue, read after the locks, never locked: a
 * renewal only reads it). In one write (decision 72) when `attempt` is 'batched': the patron is
 * the loan's (a loan's patron never changes, so the setting read before the transaction names
 * them); when the item's lock missed its row (a catalogue change moved it as the lock waited) the
 * write guessed wrong and `retryingDeskLocks` runs it again step by step, where the item lock
 * has its second try before anything after it is locked.
 */
export async function lockToRenew<Q>(
  trx: Executor,
  institutionId: string,
  v: { itemId: string; loanId: string; patronId: string; now: Date },
  queue: CompiledQuery<Q>,
  attempt: DeskLockAttempt,
): Promise<{ item: LockedItem; loan: LoanRow | undefined; patron: LockedPatron; queue: Q[] }> {
  if (attempt === 'stepwise') {
    const item = await lockItemById(trx, institutionId, v.itemId);
    const [loan] = (await lockLoan(trx, { institutionId, loanId: v.loanId })).rows;
    const patron = await lockPatron(trx, institutionId, loan?.patron_id ?? v.patronId, v.now);
    return { item, loan, patron, queue: (await trx.executeQuery(queue)).rows };
  }
  const [itemRows, loans, found, counted, queueRows] = await pipelined(trx, [
    lockItemStatement.statement(trx, 'id', { institutionId, key: v.itemId }),
    lockLoan.statement(trx, { institutionId, loanId: v.loanId }),
    // As `lockPatron` with its defaults: the row locked, then the blocks read after the lock.
    selectPatron.statement(trx, 'lock', { institutionId, patronId: v.patronId }),
    selectPatronStanding.statement(trx, {
      institutionId,
      patronId: v.patronId,
      now: v.now,
      wantBlocks: true,
      wantLoans: false,
    }),
    queue,
  ] as const);
  const [row] = itemRows.rows;
  const [loan] = loans.rows;
  if (!row || (loan && loan.patron_id !== v.patronId)) throw new DeskLocksMissed();
  return {
    item: presentLockedItem(row),
    loan,
    patron: presentLockedPatron(v.patronId, found, counted),
    queue: queueRows.rows,
  };
}

/** A loan by id, locked (CIRC-5: a renewal reads its state under this lock). */
const lockLoan = compiledOnce((trx, v: { institutionId: string; loanId: string }) =>
  trx
    .selectFrom('loans')
    .selectAll()
    .where('institution_id', '=', v.institutionId)
    .where('id', '=', v.loanId)
    .forUpdate(),
);

/** CIRC-5 / CIRC-13: the renewed loan's due date and count, and its history entries, in one statement. */
export async function renewLoanWithHistory(
  trx: Executor,
  renewal: { institutionId: string; loanId: string; dueAt: Date; renewalsUsed: number },
  history: HistoryEntry[],
  /** The transaction's last write: COMMIT goes with it (`pipelined`, decision 68). */
  options: { commit?: boolean } = {},
): Promise<void> {
  const statement = renewLoanStatement.statement(trx, history.length, {
    ...renewal,
    ...historySlotValues(history),
  });
  await pipelined(trx, [statement], options);
}

const renewLoanStatement = compiledPerShape((trx, v: Record<string, unknown>, historyEntries: number) =>
  trx
    .with('renewed', (w) =>
      w
        .updateTable('loans')
        .set({ due_at: v.dueAt as Date, renewals_used: v.renewalsUsed as number })
        .where('institution_id', '=', v.institutionId as string)
        .where('id', '=', v.loanId as string)
        .returning('id'),
    )
    .insertInto('item_history')
    .values(historyRowsOfSlots(v, historyEntries)),
);
