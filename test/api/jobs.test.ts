import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import type { Db } from '../../src/server/db/database.ts';
import { expireHoldShelves, sendHoldShelfReminders } from '../../src/server/jobs/hold-shelf.ts';
import {
  accrueOverdueFines,
  anonymiseLoans,
  processLostItems,
  sendCourtesyNotices,
  sendOverdueNotices,
} from '../../src/server/jobs/loans.ts';
import { expireRequests } from '../../src/server/jobs/requests.ts';
import {
  claimJob,
  DAILY_JOBS,
  enqueueJob,
  ensureDailyJobs,
  JOB_HANDLERS,
  runDueJobs,
  startWorker,
} from '../../src/server/jobs/runner.ts';
import { expiredHoldShelf } from '../../src/server/requests/reads.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { buildBorrower, type CirculationSetup, circulationSetup, setDueAt } from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';
import { lettersTo, placeFor, requestRow, scanIn } from '../support/requests.ts';

const DAY = 86_400_000;
let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  // Standard terms: lost 30 days after the due date, 50.00 replacement and 10.00 processing.
  await t.database.db
    .updateTable('terms_of_use')
    .set({ days_overdue_until_lost: 30, lost_replacement_fee_minor: 5000, lost_processing_fee_minor: 1000 })
    .where('id', '=', north.terms.standard)
    .execute();
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;

async function lendNew(title = 'A Book') {
  const book = await buildItem(db(), { institution: cast.north.institution, title });
  const patron = await buildBorrower(db(), cast.north);
  const response = await operator.post('/api/circulation/loans', {
    deskId: north.desks.main.id,
    itemBarcode: book.barcode,
    patronId: patron.id,
  });
  expect(response.statusCode).toBe(201);
  return { book, patron, loanId: response.json().loan.id as string };
}

async function feesOf(loanId: string) {
  return db()
    .selectFrom('fees')
    .select(['fee_type', 'original_minor', 'balance_minor', 'status'])
    .where('loan_id', '=', loanId)
    .orderBy('fee_type')
    .execute();
}

/** Every row the jobs may touch, to show a second run changes nothing. */
async function snapshot(database: Db) {
  const all = async (table: 'loans' | 'fees' | 'letters' | 'item_history' | 'items' | 'requests') =>
    (await database.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return {
    loans: await all('loans'),
    fees: await all('fees'),
    letters: await all('letters'),
    history: await all('item_history'),
    items: await all('items'),
    requests: await all('requests'),
  };
}

/** A request on the main library's hold shelf: lent to a holder, requested, returned at main. */
async function onHoldShelf() {
  const { book, patron: holder } = await lendNew('Hold Me');
  const requester = await buildBorrower(db(), cast.north);
  const placed = await placeFor(operator, {
    bibId: book.bibId,
    patronId: requester.id,
    pickupLibraryId: north.libraries.main,
  });
  expect(placed.statusCode).toBe(201);
  expect((await scanIn(operator, north.desks.main.id, book.barcode)).statusCode).toBe(200);
  const requestId = placed.json().id as string;
  const row = await requestRow(db(), requestId);
  expect(row.status).toBe('on_hold_shelf');
  return { book, holder, requester, requestId, expiresAt: row.hold_shelf_expires_at as Date };
}

describe('CIRC-10 scheduled jobs', () => {
  it('CIRC-11: an overdue loan accrues one fee that grows by the daily rate over the days and stops at the cap', async () => {
    const { loanId } = await lendNew();
    const due = new Date(Date.now() - 60_000);
    await setDueAt(db(), loanId, due);
    // Noon-ish after the due time on each following day (every day is open, CIRC-3).
    const on = (days: number) => new Date(due.getTime() + days * DAY + 3_600_000);
    for (const days of [1, 2, 3]) {
      await accrueOverdueFines({ db: db(), now: on(days) });
      const fees = await feesOf(loanId);
      expect(fees).toHaveLength(1);
      expect(fees[0]).toMatchObject({ fee_type: 'overdue_fine', status: 'active' });
      expect(Number(fees[0]?.original_minor)).toBeGreaterThanOrEqual(25 * days);
      expect(Number(fees[0]?.original_minor)).toBeLessThanOrEqual(25 * (days + 1));
    }
    const day3 = Number((await feesOf(loanId))[0]?.original_minor);
    await accrueOverdueFines({ db: db(), now: on(4) });
    expect(Number((await feesOf(loanId))[0]?.original_minor)).toBe(day3 + 25);
    // 25 cents a day reaches the 10.00 cap after 40 days; later days change nothing.
    await accrueOverdueFines({ db: db(), now: on(28) });
    expect(Number((await feesOf(loanId))[0]?.original_minor)).toBeLessThan(1000);
    // (the lost job is not run here: the loan stays active beyond the 30 lost days)
    await accrueOverdueFines({ db: db(), now: on(45) });
    expect(await feesOf(loanId)).toEqual([
      { fee_type: 'overdue_fine', original_minor: 1000, balance_minor: 1000, status: 'active' },
    ]);
    const before = await snapshot(db());
    const again = await accrueOverdueFines({ db: db(), now: on(46) });
    expect(again.changed).toBe(0);
    expect(await snapshot(db())).toEqual(before);
    // Leave no overdue loan behind for the other tests' lost processing.
    expect((await scanIn(operator, north.desks.main.id, (await itemOf(loanId)).barcode)).statusCode).toBe(
      200,
    );
  });

  it('CIRC-10 / CIRC-11: lost after the configured days makes the loan and item lost and bills replacement and processing once', async () => {
    const { loanId, book, patron } = await lendNew();
    // Due 31 calendar days ago in the owner's zone (North: America/Toronto): 31 times 24 hours
    // across a DST change would land on another local day for one hour of each day.
    const { time_zone } = await db()
      .selectFrom('institutions')
      .select('time_zone')
      .where('id', '=', cast.north.institution.id)
      .executeTakeFirstOrThrow();
    const now = new Date();
    const due = DateTime.fromJSDate(now).setZone(time_zone).minus({ days: 31 });
    await setDueAt(db(), loanId, due.toJSDate());
    const first = await processLostItems({ db: db(), now });
    expect(first.changed).toBe(1);
    const loan = await db()
      .selectFrom('loans')
      .select('status')
      .where('id', '=', loanId)
      .executeTakeFirstOrThrow();
    expect(loan.status).toBe('lost');
    const item = await db()
      .selectFrom('items')
      .select(['in_place', 'process_type'])
      .where('id', '=', book.itemId)
      .executeTakeFirstOrThrow();
    expect(item).toEqual({ in_place: false, process_type: 'lost' });
    const fees = await feesOf(loanId);
    expect(fees.map((f) => [f.fee_type, Number(f.original_minor)])).toEqual([
      ['lost_item_processing', 1000],
      ['lost_item_replacement', 5000],
      ['overdue_fine', 775],
    ]);
    expect(await lettersTo(db(), patron.id, 'lost')).toHaveLength(1);
    const before = await snapshot(db());
    const second = await processLostItems({ db: db(), now: new Date(Date.now() + DAY) });
    expect(second.changed).toBe(0);
    // The fine job no longer accrues a lost loan.
    await accrueOverdueFines({ db: db(), now: new Date(Date.now() + 5 * DAY) });
    expect(await feesOf(loanId)).toHaveLength(3);
    expect(Number((await feesOf(loanId))[2]?.original_minor)).toBe(775);
    expect((await snapshot(db())).fees).toEqual(before.fees);
  });

  it('CIRC-8: the hold shelf reminder goes out once, one open day before expiry; at expiry the request closes as expired and the item is listed on the expired hold shelf', async () => {
    const { requester, requestId, book, expiresAt } = await onHoldShelf();
    await sendHoldShelfReminders({ db: db(), now: new Date() });
    expect(await lettersTo(db(), requester.id, 'hold_shelf_reminder')).toHaveLength(0);
    const dayBefore = new Date(expiresAt.getTime() - DAY);
    expect((await sendHoldShelfReminders({ db: db(), now: dayBefore })).changed).toBe(1);
    expect((await sendHoldShelfReminders({ db: db(), now: dayBefore })).changed).toBe(0);
    expect(await lettersTo(db(), requester.id, 'hold_shelf_reminder')).toHaveLength(1);

    const after = new Date(expiresAt.getTime() + 60_000);
    const expired = await expireHoldShelves({ db: db(), now: after });
    expect(expired.changed).toBe(1);
    expect((await requestRow(db(), requestId)).status).toBe('expired');
    expect(await lettersTo(db(), requester.id, 'hold_expired')).toHaveLength(1);
    const list = await expiredHoldShelf(db(), north.libraries.main, after);
    expect(list.map((r) => r.id)).toContain(requestId);
    const before = await snapshot(db());
    expect((await expireHoldShelves({ db: db(), now: after })).changed).toBe(0);
    expect(await snapshot(db())).toEqual(before);
    expect(book.itemId).toBeTruthy();
  });

  it('PAT-10: closed loans older than the configured days are anonymised in item history; recent ones are not', async () => {
    const old = await lendNew();
    expect((await scanIn(operator, north.desks.main.id, old.book.barcode)).statusCode).toBe(200);
    const recent = await lendNew();
    expect((await scanIn(operator, north.desks.main.id, recent.book.barcode)).statusCode).toBe(200);
    await db()
      .updateTable('loans')
      .set({ returned_at: new Date(Date.now() - 400 * DAY) })
      .where('id', '=', old.loanId)
      .execute();
    await anonymiseLoans({ db: db(), now: new Date() });
    const named = async (loanId: string) =>
      (await db().selectFrom('item_history').select('patron_id').where('loan_id', '=', loanId).execute()).map(
        (h) => h.patron_id,
      );
    expect(await named(old.loanId)).not.toHaveLength(0);
    expect((await named(old.loanId)).every((p) => p === null)).toBe(true);
    expect((await named(recent.loanId)).every((p) => p === recent.patron.id)).toBe(true);
    const loans = await db()
      .selectFrom('loans')
      .select(['id', 'anonymised_at'])
      .where('id', 'in', [old.loanId, recent.loanId])
      .execute();
    expect(loans.find((l) => l.id === old.loanId)?.anonymised_at).not.toBeNull();
    expect(loans.find((l) => l.id === recent.loanId)?.anonymised_at).toBeNull();
  });

  it('CIRC-10: every daily job run twice with the same clock changes nothing the second time', async () => {
    const shelf = await onHoldShelf();
    const now = new Date(shelf.expiresAt.getTime() - DAY);
    const soon = await lendNew('Due Soon');
    await setDueAt(db(), soon.loanId, new Date(now.getTime() + 2 * DAY));
    const late = await lendNew('Overdue');
    await setDueAt(db(), late.loanId, new Date(now.getTime() - 5 * DAY));
    const lost = await lendNew('Lost');
    await setDueAt(db(), lost.loanId, new Date(now.getTime() - 40 * DAY));
    await db()
      .updateTable('loans')
      .set({ returned_at: new Date(now.getTime() - 500 * DAY) })
      .where('id', '=', await loanOfItem(shelf.book.itemId))
      .execute();
    const jobs = [
      processLostItems,
      accrueOverdueFines,
      sendOverdueNotices,
      sendCourtesyNotices,
      expireRequests,
      expireHoldShelves,
      sendHoldShelfReminders,
      anonymiseLoans,
    ];
    expect(jobs).toHaveLength(DAILY_JOBS.length);
    const firsts = [];
    for (const job of jobs) firsts.push(await job({ db: db(), now, batchSize: 2 }));
    expect(firsts.map((r) => r.changed).every((n) => n >= 0)).toBe(true);
    expect(await lettersTo(db(), soon.patron.id, 'courtesy')).toHaveLength(1);
    expect(await lettersTo(db(), late.patron.id, 'overdue')).toHaveLength(1);
    expect(await lettersTo(db(), shelf.requester.id, 'hold_shelf_reminder')).toHaveLength(1);
    expect(await feesOf(late.loanId)).toHaveLength(1);
    expect(await feesOf(lost.loanId)).toHaveLength(3);
    const before = await snapshot(db());
    for (const job of jobs) expect((await job({ db: db(), now, batchSize: 2 })).changed, job.name).toBe(0);
    expect(await snapshot(db())).toEqual(before);
  });
});

describe('CIRC-10 the job runner', () => {
  it('CIRC-10: the daily schedule creates each job once per day however often it is ensured, and the runner runs each to done', async () => {
    const now = new Date(Date.now() + 1000 * DAY);
    expect(await ensureDailyJobs(db(), now)).toBe(DAILY_JOBS.length);
    expect(await ensureDailyJobs(db(), now)).toBe(0);
    const day = now.toISOString().slice(0, 10);
    const rows = await db()
      .selectFrom('jobs')
      .select(['kind', 'status'])
      .where('scheduled_day', '=', day)
      .execute();
    expect(rows.map((r) => r.kind).sort()).toEqual([...DAILY_JOBS].sort());
    const outcomes = await runDueJobs(db(), { now: () => now, workerId: 'test' });
    expect(outcomes.map((o) => o.status)).toEqual(DAILY_JOBS.map(() => 'done'));
    expect(await runDueJobs(db(), { now: () => now })).toEqual([]);
    const done = await db()
      .selectFrom('jobs')
      .select(['status', 'locked_by', 'result'])
      .where('scheduled_day', '=', day)
      .execute();
    expect(done.every((j) => j.status === 'done' && j.locked_by === null && j.result !== null)).toBe(true);
  });

  it('CIRC-10: a failing job is retried with backoff and marked failed after its attempts; a claimed job is not claimed twice until its lease passes', async () => {
    const now = new Date();
    let calls = 0;
    const handlers = {
      flaky: async () => {
        calls++;
        throw new Error('boom');
      },
    };
    const id = await enqueueJob(db(), { kind: 'flaky', runAt: now, maxAttempts: 2 });
    const first = await runDueJobs(db(), { now: () => now, handlers });
    expect(first).toMatchObject([{ id, status: 'pending', error: 'boom' }]);
    expect(await runDueJobs(db(), { now: () => now, handlers })).toEqual([]); // backoff
    const later = new Date(now.getTime() + 3_600_000);
    expect(await runDueJobs(db(), { now: () => later, handlers })).toMatchObject([{ id, status: 'failed' }]);
    expect(calls).toBe(2);
    const row = await db()
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id as string)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 2, last_error: 'boom' });

    const leased = await enqueueJob(db(), { kind: 'leased', runAt: now });
    const claimed = await claimJob(db(), { now, workerId: 'a', leaseMs: 60_000, kinds: ['leased'] });
    expect(claimed?.id).toBe(leased);
    expect(await claimJob(db(), { now, workerId: 'b', leaseMs: 60_000, kinds: ['leased'] })).toBeUndefined();
    const afterLease = new Date(now.getTime() + 120_000);
    const retaken = await claimJob(db(), {
      now: afterLease,
      workerId: 'b',
      leaseMs: 60_000,
      kinds: ['leased'],
    });
    expect(retaken).toMatchObject({ id: leased, attempts: 2 });
    await runDueJobs(db(), {
      now: () => afterLease,
      workerId: 'b',
      handlers: { leased: async () => ({ batches: 0, processed: 0, changed: 0 }) },
    });
    await db().deleteFrom('jobs').where('kind', '=', 'leased').execute();
  });

  it('CIRC-10: the worker loop runs due jobs and stops cleanly', async () => {
    let ran = 0;
    await enqueueJob(db(), { kind: 'tick' });
    const stop = startWorker(db(), {
      intervalMs: 20,
      schedule: false,
      handlers: {
        tick: async () => {
          ran++;
          return { batches: 0, processed: 0, changed: 0 };
        },
      },
    });
    for (let i = 0; i < 100 && ran === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(ran).toBe(1);
    expect(Object.keys(JOB_HANDLERS)).toEqual(DAILY_JOBS);
  });
});

async function itemOf(loanId: string) {
  return db()
    .selectFrom('loans as l')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select(['i.barcode'])
    .where('l.id', '=', loanId)
    .executeTakeFirstOrThrow();
}

async function loanOfItem(itemId: string) {
  const loan = await db()
    .selectFrom('loans')
    .select('id')
    .where('item_id', '=', itemId)
    .where('status', '=', 'returned')
    .executeTakeFirstOrThrow();
  return loan.id;
}
