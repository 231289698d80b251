import { type RawBuilder, sql } from 'kysely';
import {
  type Executor,
  loadCalendar,
  lockItemById,
  lockPatron,
  setOverdueFees,
  writeLetter,
} from '../circulation/repository.ts';
import { computeOverdueFine, dayAt, type LibraryCalendar } from '../circulation/rules/index.ts';
import type { LetterType } from '../db/schema.ts';
import { type JobContext, type JobResult, type Key, keysetBatches } from './context.ts';

/**
 * CIRC-10 / CIRC-11 / PAT-10: the daily jobs over loans. Each walks its loans in key order
 * (institution_id, id) with keyset pagination, a batch of rows per short transaction, and is
 * idempotent: a second run with the same `now` changes nothing.
 */

const afterKey = (after: Key | null): RawBuilder<unknown> =>
  after ? sql`AND (l.institution_id, l.id) > (${after.institutionId}::uuid, ${after.id}::uuid)` : sql``;

const lastKey = (rows: { institution_id: string; id: string }[]): Key | null => {
  const last = rows.at(-1);
  return last ? { institutionId: last.institution_id, id: last.id } : null;
};

/**
 * Calendars are reference data: loaded once per run and library, through the executor at hand
 * (inside a batch, its transaction: PGlite has one connection, a second query would wait on it).
 */
export function calendarCache() {
  const cache = new Map<string, Promise<LibraryCalendar>>();
  return (libraryId: string, executor: Executor) => {
    let calendar = cache.get(libraryId);
    if (!calendar) {
      calendar = loadCalendar(executor, libraryId);
      cache.set(libraryId, calendar);
    }
    return calendar;
  };
}

/** A stable message id per loan and due date (CIRC-12: never sent twice under two ids). */
const dueStamp = (dueAt: Date) =>
  dueAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

interface NoticeRow {
  institution_id: string;
  id: string;
  patron_id: string;
  due_at: Date;
  barcode: string;
  title: string;
  institution_name: string;
  time_zone: string;
}

/** CIRC-12: a loan letter from the owner, in the batch's transaction; a repeated id writes nothing. */
async function writeLoanLetter(
  trx: Executor,
  row: NoticeRow,
  now: Date,
  letter: { type: LetterType; subject: string; lines: string[]; messageId: string },
): Promise<boolean> {
  const exists = await trx
    .selectFrom('letters')
    .select('id')
    .where('message_id', '=', letter.messageId)
    .executeTakeFirst();
  if (exists) return false;
  const patron = await lockPatron(trx, row.institution_id, row.patron_id, now, {
    lock: false,
    blocks: false,
  });
  await writeLetter(trx, {
    institutionId: row.institution_id,
    patronId: row.patron_id,
    type: letter.type,
    to: patron.email,
    subject: `${row.institution_name}: ${letter.subject}`,
    body: [`Dear ${patron.name},`, '', ...letter.lines, '', row.institution_name].join('\n'),
    messageId: letter.messageId,
    at: now,
  });
  return true;
}

const noticeColumns = sql`l.institution_id, l.id, l.patron_id, l.due_at, i.barcode, b.title,
  inst.name AS institution_name, inst.time_zone`;
const noticeJoins = sql`JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
  JOIN bib_records b ON b.institution_id = i.institution_id AND b.id = i.bib_id
  JOIN institutions inst ON inst.id = l.institution_id
  JOIN terms_of_use t ON t.institution_id = l.institution_id AND t.id = l.terms_of_use_id`;

/**
 * CIRC-10: a courtesy notice before the due date, for active loans in days falling due within
 * the owner's `courtesy_notice_days` (hourly loans get none: their whole period is shorter than
 * the notice). Once per loan and due date: message id `courtesy-<loan>-<due>`, so a renewal
 * (a new due date) gets its own notice.
 */
export async function sendCourtesyNotices(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  return keysetBatches(ctx, (after, limit) =>
    db.transaction().execute(async (trx) => {
      const { rows } = await sql<NoticeRow>`SELECT ${noticeColumns} FROM loans l ${noticeJoins}
        WHERE l.status = 'active' AND t.loan_period_unit = 'days' AND l.due_at > ${now}
          AND l.due_at <= ${now}::timestamptz + inst.courtesy_notice_days * interval '1 day' ${afterKey(after)}
        ORDER BY l.institution_id, l.id LIMIT ${limit} FOR UPDATE OF l`.execute(trx);
      let changed = 0;
      for (const row of rows) {
        const due = dayAt(row.time_zone, row.due_at);
        const written = await writeLoanLetter(trx, row, now, {
          type: 'courtesy',
          subject: 'courtesy notice: due soon',
          lines: [`${row.title} (${row.barcode}) is due on ${due}. Please return or renew it by then.`],
          messageId: `courtesy-${row.id}-${dueStamp(row.due_at)}@shelfshare`,
        });
        if (written) changed++;
      }
      return { rows: rows.length, last: lastKey(rows), changed };
    }),
  );
}

/**
 * CIRC-10: an overdue notice for each active loan past its due date. Once per loan and due
 * date (message id `overdue-<loan>-<due>`): the patron is told once that the loan is overdue;
 * the fine then grows daily without a letter a day, and the lost letter follows.
 */
export async function sendOverdueNotices(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  return keysetBatches(ctx, (after, limit) =>
    db.transaction().execute(async (trx) => {
      const { rows } = await sql<NoticeRow>`SELECT ${noticeColumns} FROM loans l ${noticeJoins}
        WHERE l.status = 'active' AND l.due_at < ${now} ${afterKey(after)}
        ORDER BY l.institution_id, l.id LIMIT ${limit} FOR UPDATE OF l`.execute(trx);
      let changed = 0;
      for (const row of rows) {
        const written = await writeLoanLetter(trx, row, now, {
          type: 'overdue',
          subject: 'overdue notice',
          lines: [
            `${row.title} (${row.barcode}) was due on ${dayAt(row.time_zone, row.due_at)} and is overdue. Please return it; a fine accrues for every day it is late.`,
          ],
          messageId: `overdue-${row.id}-${dueStamp(row.due_at)}@shelfshare`,
        });
        if (written) changed++;
      }
      return { rows: rows.length, last: lastKey(rows), changed };
    }),
  );
}

interface FineRow {
  institution_id: string;
  id: string;
  patron_id: string;
  item_id: string;
  due_at: Date;
  overdue_fine_per_day_minor: number | string;
  overdue_grace_days: number;
  overdue_fine_max_minor: number | string | null;
  loan_period_unit: 'days' | 'hours';
  home_library_id: string;
  currency: string;
}

const fineColumns = sql`l.institution_id, l.id, l.patron_id, l.item_id, l.due_at,
  t.overdue_fine_per_day_minor, t.overdue_grace_days, t.overdue_fine_max_minor, t.loan_period_unit,
  h.library_id AS home_library_id, inst.currency`;
const fineJoins = sql`JOIN terms_of_use t ON t.institution_id = l.institution_id AND t.id = l.terms_of_use_id
  JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
  JOIN holdings h ON h.institution_id = i.institution_id AND h.id = i.holding_id
  JOIN institutions inst ON inst.id = l.institution_id`;

/** CIRC-11 / CIRC-3: the fine for (due date, now) on the owner's calendar (the item's home library). */
async function fineOf(trx: Executor, row: FineRow, now: Date, calendarOf: ReturnType<typeof calendarCache>) {
  return computeOverdueFine({
    dueAt: row.due_at,
    now,
    terms: {
      overdueFinePerDayMinor: Number(row.overdue_fine_per_day_minor),
      overdueGraceDays: row.overdue_grace_days,
      overdueFineMaxMinor: row.overdue_fine_max_minor === null ? null : Number(row.overdue_fine_max_minor),
      loanPeriodUnit: row.loan_period_unit,
    },
    ownerCalendar: await calendarOf(row.home_library_id, trx),
  }).amountMinor;
}

/**
 * CIRC-10 / CIRC-11: the daily overdue fine. For every active overdue loan (not lost, not
 * claimed returned: those stop accruing), the fine for (due date, now) on the owner's calendar,
 * capped by the terms; the loan's one overdue fee is inserted or set to it. Loans are locked
 * `FOR UPDATE` per batch, so a return committed meanwhile drops the loan from the batch (the
 * return set its fee) and a return waiting on the batch finds the fee set.
 */
export async function accrueOverdueFines(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  const calendarOf = calendarCache();
  return keysetBatches(ctx, (after, limit) =>
    db.transaction().execute(async (trx) => {
      const { rows } = await sql<FineRow>`SELECT ${fineColumns} FROM loans l ${fineJoins}
        WHERE l.status = 'active' AND l.due_at < ${now} AND t.overdue_fine_per_day_minor > 0 ${afterKey(after)}
        ORDER BY l.institution_id, l.id LIMIT ${limit} FOR UPDATE OF l`.execute(trx);
      const fees = [];
      for (const row of rows) {
        const amountMinor = await fineOf(trx, row, now, calendarOf);
        if (amountMinor > 0)
          fees.push({
            institutionId: row.institution_id,
            patronId: row.patron_id,
            loanId: row.id,
            itemId: row.item_id,
            currency: row.currency,
            amountMinor,
          });
      }
      const changed = await setOverdueFees(trx, fees, now);
      return { rows: rows.length, last: lastKey(rows), changed };
    }),
  );
}

interface LostRow extends FineRow {
  days_overdue_until_lost: number;
  lost_replacement_fee_minor: number | string;
  lost_processing_fee_minor: number | string;
  barcode: string;
  title: string;
  institution_name: string;
  time_zone: string;
}

/**
 * CIRC-10 / CIRC-11: lost after the configured days. An active loan overdue by the terms'
 * `days_overdue_until_lost` calendar days becomes `lost`, its item's process type `lost`; the
 * overdue fee is set one last time (accrual stops), the lost item replacement and processing
 * fees are billed (when above zero), item history records it and the patron gets a lost letter.
 * Each loan in its own transaction, item then loan locked (the fixed order); the loan's status
 * is re-checked under the lock, so the fees are billed once.
 */
export async function processLostItems(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  const calendarOf = calendarCache();
  return keysetBatches(ctx, async (after, limit) => {
    const { rows } = await sql<LostRow>`SELECT ${fineColumns}, t.days_overdue_until_lost,
        t.lost_replacement_fee_minor, t.lost_processing_fee_minor, i.barcode, b.title,
        inst.name AS institution_name, inst.time_zone
      FROM loans l ${fineJoins}
      JOIN bib_records b ON b.institution_id = i.institution_id AND b.id = i.bib_id
      WHERE l.status = 'active' AND t.days_overdue_until_lost IS NOT NULL
        AND l.due_at + t.days_overdue_until_lost * interval '1 day' <= ${now} ${afterKey(after)}
      ORDER BY l.institution_id, l.id LIMIT ${limit}`.execute(db);
    let changed = 0;
    for (const row of rows) {
      const done = await db.transaction().execute(async (trx) => {
        await lockItemById(trx, row.institution_id, row.item_id);
        const loan = await trx
          .selectFrom('loans')
          .select(['status', 'due_at'])
          .where('institution_id', '=', row.institution_id)
          .where('id', '=', row.id)
          .forUpdate()
          .executeTakeFirstOrThrow();
        if (loan.status !== 'active' || loan.due_at.getTime() !== row.due_at.getTime()) return false;
        await trx
          .updateTable('loans')
          .set({ status: 'lost' })
          .where('institution_id', '=', row.institution_id)
          .where('id', '=', row.id)
          .execute();
        await trx
          .updateTable('items')
          .set({ in_place: false, process_type: 'lost', updated_at: now })
          .where('institution_id', '=', row.institution_id)
          .where('id', '=', row.item_id)
          .execute();
        const fine = Number(row.overdue_fine_per_day_minor) > 0 ? await fineOf(trx, row, now, calendarOf) : 0;
        const base = {
          institutionId: row.institution_id,
          patronId: row.patron_id,
          loanId: row.id,
          itemId: row.item_id,
          currency: row.currency,
        };
        if (fine > 0) await setOverdueFees(trx, [{ ...base, amountMinor: fine }], now);
        const billed = [
          { type: 'lost_item_replacement' as const, amount: Number(row.lost_replacement_fee_minor) },
          { type: 'lost_item_processing' as const, amount: Number(row.lost_processing_fee_minor) },
        ].filter((f) => f.amount > 0);
        if (billed.length > 0)
          await trx
            .insertInto('fees')
            .values(
              billed.map((f) => ({
                institution_id: row.institution_id,
                patron_id: row.patron_id,
                loan_id: row.id,
                item_id: row.item_id,
                fee_type: f.type,
                currency: row.currency,
                original_minor: f.amount,
                balance_minor: f.amount,
                created_at: now,
                updated_at: now,
              })),
            )
            .execute();
        // CIRC-13: the history event (recordHistory's event list has no 'lost' yet).
        await trx
          .insertInto('item_history')
          .values({
            institution_id: row.institution_id,
            item_id: row.item_id,
            at: now,
            event: 'lost',
            patron_id: row.patron_id,
            loan_id: row.id,
            details: JSON.stringify({
              daysOverdueUntilLost: row.days_overdue_until_lost,
              fees: billed.map((f) => ({ type: f.type, amountMinor: f.amount })),
              by: 'job',
            }),
          })
          .execute();
        await writeLoanLetter(trx, row, now, {
          type: 'lost',
          subject: 'item declared lost',
          lines: [
            `${row.title} (${row.barcode}) was due on ${dayAt(row.time_zone, row.due_at)} and is now declared lost.`,
            ...billed.map(
              (f) =>
                `${f.type === 'lost_item_replacement' ? 'Replacement fee' : 'Processing fee'}: ${(f.amount / 100).toFixed(2)} ${row.currency}`,
            ),
          ],
          messageId: `lost-${row.id}@shelfshare`,
        });
        return true;
      });
      if (done) changed++;
    }
    return { rows: rows.length, last: lastKey(rows), changed };
  });
}

/**
 * PAT-10: closed loans older than the owner's `anonymise_loans_after_days` are anonymised: their
 * item history keeps every event but no longer names the patron (`patron_id` cleared), and the
 * loan records when (`anonymised_at`). The loan row keeps `patron_id`: it is NOT NULL with a
 * foreign key, and fees (which outlive the loan and belong to the patron) point at it; what
 * PAT-10 asks of the history is done, and readers of anonymised loans must not show the patron.
 */
export async function anonymiseLoans(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  return keysetBatches(ctx, (after, limit) =>
    db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ institution_id: string; id: string }>`SELECT l.institution_id, l.id
        FROM loans l JOIN institutions inst ON inst.id = l.institution_id
        WHERE l.status = 'returned' AND l.anonymised_at IS NULL
          AND l.returned_at <= ${now}::timestamptz - inst.anonymise_loans_after_days * interval '1 day' ${afterKey(after)}
        ORDER BY l.institution_id, l.id LIMIT ${limit} FOR UPDATE OF l`.execute(trx);
      if (rows.length > 0) {
        const institutions = rows.map((r) => r.institution_id);
        const ids = rows.map((r) => r.id);
        await sql`UPDATE item_history h SET patron_id = NULL
          FROM unnest(${institutions}::uuid[], ${ids}::uuid[]) AS x(institution_id, loan_id)
          WHERE h.institution_id = x.institution_id AND h.loan_id = x.loan_id AND h.patron_id IS NOT NULL`.execute(
          trx,
        );
        await sql`UPDATE loans l SET anonymised_at = ${now}
          FROM unnest(${institutions}::uuid[], ${ids}::uuid[]) AS x(institution_id, id)
          WHERE l.institution_id = x.institution_id AND l.id = x.id`.execute(trx);
      }
      return { rows: rows.length, last: lastKey(rows), changed: rows.length };
    }),
  );
}
