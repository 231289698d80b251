import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { buildBorrower, type CirculationSetup, circulationSetup, setDueAt } from '../support/circulation.ts';
import { buildDesk, buildStaff } from '../support/factories.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';
import { signal, waitingForALock } from '../support/locks.ts';

// Races between connections (architecture.md, Boundaries): PGlite has one connection, so these
// run on PostgreSQL only (this folder is in the postgresql project alone).

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let desks: { id: string }[];
let operators: Client[];

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  desks = [
    north.desks.main,
    north.desks.branch,
    north.desks.home,
    await buildDesk(t.database.db, { library: cast.north.main }),
  ];
  operators = [];
  for (let i = 0; i < 4; i++) {
    const staff = await buildStaff(t.database.db, {
      institution: cast.north.institution,
      username: `race-operator-${i}`,
      roles: ['circulation_desk_operator'],
    });
    operators.push(await signIn(t.app, staff.username));
  }
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;

/**
 * Title A's copy (on the shelf, or on loan to its borrower), and title B, whose only copy is on
 * loan while another patron waits for it, picking up at the main library.
 */
async function aCopyAndAWaitedTitle(name: string, copy: 'on the shelf' | 'on loan') {
  const institution = cast.north.institution;
  const copyOfA = await buildItem(db(), { institution, title: `${name}, re-catalogued` });
  const titleB = await buildItem(db(), { institution, title: `${name}, its title now` });
  const [borrower, waiting, holderOfB] = await Promise.all(
    [1, 2, 3].map((k) => buildBorrower(db(), cast.north, { identifier: `MOVE-${name}-${k}` })),
  );
  const lend = async (item: { barcode: string }, patron: { id: string } | undefined) => {
    const lent = await operators[0]?.post('/api/circulation/loans', {
      deskId: desks[0]?.id,
      itemBarcode: item.barcode,
      patronId: patron?.id,
    });
    expect(lent?.statusCode).toBe(201);
    return lent?.json().loan.id as string;
  };
  const loanOfA = copy === 'on loan' ? await lend(copyOfA, borrower) : null;
  await lend(titleB, holderOfB);
  const placed = await operators[0]?.post('/api/circulation/requests', {
    requestType: 'hold',
    bibId: titleB.bibId,
    patronId: waiting?.id,
    pickupLibraryId: north.libraries.main,
  });
  expect(placed?.json()).toMatchObject({ status: 'not_started' });
  return { copyOfA, titleB, borrower: borrower as { id: string }, loanOfA, requestId: placed?.json().id };
}

/**
 * Starts `operation` while a catalogue change moves the copy to another title's holding, its
 * transaction (and the copy's row lock) held open until the operation waits for the lock; the
 * operation's answer once the change committed.
 */
async function whileTheCopyMoves<T>(
  copy: { itemId: string },
  to: { bibId: string; holdingId: string },
  operation: () => Promise<T> | undefined,
) {
  const [moved, move] = signal();
  const [held, release] = signal();
  const recatalogue = db()
    .transaction()
    .execute(async (trx) => {
      await trx
        .updateTable('items')
        .set({ bib_id: to.bibId, holding_id: to.holdingId })
        .where('id', '=', copy.itemId)
        .execute();
      move();
      await held;
    });
  await moved;
  const answer = operation();
  expect(await waitingForALock(db())).toBe(true);
  release();
  await recatalogue;
  return answer;
}

describe('concurrent desks (INV-1, CIRC-4, CIRC-11)', () => {
  it('INV-1: four desks lending the same item at the same moment make exactly one loan and three clear refusals', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const patrons = await Promise.all(
      [0, 1, 2, 3].map((i) => buildBorrower(db(), cast.north, { identifier: `RACE-A${i}` })),
    );
    const responses = await Promise.all(
      operators.map((client, i) =>
        client.post('/api/circulation/loans', {
          deskId: desks[i]?.id,
          itemBarcode: book.barcode,
          patronId: patrons[i]?.id,
        }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 422, 422, 422]);
    for (const r of responses.filter((x) => x.statusCode === 422)) {
      expect(r.json()).toMatchObject({
        code: 'LOAN_REFUSED',
        details: { reasons: [{ code: 'ITEM_ALREADY_ON_LOAN' }] },
      });
    }
    const loans = await db().selectFrom('loans').select('id').where('item_id', '=', book.itemId).execute();
    expect(loans).toHaveLength(1);
    const letters = await db()
      .selectFrom('letters')
      .select('id')
      .where('message_id', '=', `loan-receipt-${loans[0]?.id}@shelfshare`)
      .execute();
    expect(letters).toHaveLength(1);
  });

  it('CIRC-4: two desks lending two items to a patron one below the loan limit make exactly one loan', async () => {
    const patron = await buildBorrower(db(), cast.north, { identifier: 'RACE-LIMIT' });
    await db()
      .insertInto('loan_limits')
      .values({ institution_id: north.institutionId, user_group_id: patron.user_group_id, max_loans: 2 })
      .execute();
    const first = await buildItem(db(), { institution: cast.north.institution });
    expect(
      (
        await operators[0]?.post('/api/circulation/loans', {
          deskId: desks[0]?.id,
          itemBarcode: first.barcode,
          patronId: patron.id,
        })
      )?.statusCode,
    ).toBe(201);
    const items = await Promise.all(
      [0, 1].map(() => buildItem(db(), { institution: cast.north.institution })),
    );
    const responses = await Promise.all(
      items.map((item, i) =>
        operators[i + 1]?.post('/api/circulation/loans', {
          deskId: desks[i + 1]?.id,
          itemBarcode: item.barcode,
          patronId: patron.id,
        }),
      ),
    );
    expect(responses.map((r) => r?.statusCode).sort()).toEqual([201, 422]);
    const refusedOne = responses.find((r) => r?.statusCode === 422);
    expect(refusedOne?.json().details.reasons).toEqual([
      expect.objectContaining({ code: 'LOAN_LIMIT_REACHED' }),
    ]);
    const open = await db()
      .selectFrom('loans')
      .select('id')
      .where('patron_id', '=', patron.id)
      .where('status', '=', 'active')
      .execute();
    expect(open).toHaveLength(2);
  });

  it('CIRC-11 / INV-4: two desks returning the same late item close one loan and make one fee', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const patron = await buildBorrower(db(), cast.north, { identifier: 'RACE-RETURN' });
    const lent = await operators[0]?.post('/api/circulation/loans', {
      deskId: desks[0]?.id,
      itemBarcode: book.barcode,
      patronId: patron.id,
    });
    const loanId = lent?.json().loan.id as string;
    await setDueAt(db(), loanId, new Date(Date.now() - 3 * 86_400_000));
    const responses = await Promise.all(
      [0, 1].map((i) =>
        operators[i]?.post('/api/circulation/returns', { deskId: desks[i]?.id, itemBarcode: book.barcode }),
      ),
    );
    expect(responses.map((r) => r?.statusCode)).toEqual([200, 200]);
    const closed = responses.filter((r) => r?.json().loan !== null);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.json().fine).toMatchObject({ amountMinor: 75 });
    const fees = await db().selectFrom('fees').selectAll().where('loan_id', '=', loanId).execute();
    expect(fees).toHaveLength(1);
    const history = await db()
      .selectFrom('item_history')
      .select('event')
      .where('item_id', '=', book.itemId)
      .orderBy('id')
      .execute();
    expect(history.map((h) => h.event)).toEqual(['loan', 'return', 'scan_in']);
  });
});

describe('a copy moved to another title while a loan waits for it (CIRC-4, CIRC-7)', () => {
  it('CIRC-7: the loan then answers to the queue of the title the copy is now of: a patron waiting there keeps it', async () => {
    // Title A's copy is on the shelf; title B's only copy is out, and a patron waits for B.
    const { copyOfA, titleB, borrower } = await aCopyAndAWaitedTitle('Lent', 'on the shelf');
    // A catalogue change moves the copy to title B's holding, and holds it while the loan starts.
    const answer = await whileTheCopyMoves(copyOfA, titleB, () =>
      operators[1]?.post('/api/circulation/loans', {
        deskId: desks[1]?.id,
        itemBarcode: copyOfA.barcode,
        patronId: borrower.id,
      }),
    );
    // The loan locked title A's queue (where the copy was when it started) and found the copy
    // of title B once the change committed; it ran again (decision 70), locking B's queue, and
    // read B's queue under it: the waiting patron keeps the copy.
    expect(answer?.statusCode).toBe(422);
    expect(answer?.json().details.reasons).toEqual([
      expect.objectContaining({ code: 'ITEM_REQUESTED_BY_ANOTHER_PATRON' }),
    ]);
    const loans = await db().selectFrom('loans').select('id').where('item_id', '=', copyOfA.itemId).execute();
    expect(loans).toEqual([]);
  });
});

describe('a copy moved to another title while its return waits for it (CIRC-6, CIRC-7)', () => {
  it('CIRC-6 / CIRC-7: the return closes the loan and answers to the queue of the title the copy is now of: it goes to the hold shelf for the patron waiting there', async () => {
    // Title A's copy is on loan; title B's only copy is out too, and a patron waits for B,
    // picking up at the main library, where the copy comes back.
    const { copyOfA, titleB, borrower, requestId } = await aCopyAndAWaitedTitle('Returned', 'on loan');
    // A catalogue change moves the copy to title B's holding, and holds it while the return starts.
    const answer = await whileTheCopyMoves(copyOfA, titleB, () =>
      operators[1]?.post('/api/circulation/returns', {
        deskId: north.desks.main.id,
        itemBarcode: copyOfA.barcode,
      }),
    );
    // The return locked title A's queue and found the copy of title B once the change
    // committed; it ran again step by step (decisions 70 and 72), under B's queue lock, and
    // found B's waiting request.
    expect(answer?.statusCode).toBe(200);
    expect(answer?.json().loan).toMatchObject({ status: 'returned' });
    expect(answer?.json().nextStep).toMatchObject({ kind: 'hold_shelf', requestId });
    const open = await db()
      .selectFrom('loans')
      .select('id')
      .where('item_id', '=', copyOfA.itemId)
      .where('status', '<>', 'returned')
      .execute();
    expect(open).toEqual([]);
    const receipts = await db()
      .selectFrom('letters')
      .select('letter_type')
      .where('patron_id', '=', borrower.id)
      .where('letter_type', '=', 'return_receipt')
      .execute();
    expect(receipts).toHaveLength(1);
  });
});

describe('a copy moved to another title while its renewal waits for it (CIRC-5, CIRC-7)', () => {
  it('CIRC-5 / CIRC-7: the renewal reads the queue of the title the copy is now of: a patron waiting there refuses it', async () => {
    // Title A's copy is on loan; title B's only copy is out too, and a patron waits for B.
    const { copyOfA, titleB, loanOfA } = await aCopyAndAWaitedTitle('Renewed', 'on loan');
    // Due tomorrow: renewing would move the due date later, so only a waiting request refuses it.
    await setDueAt(db(), loanOfA as string, new Date(Date.now() + 86_400_000));
    // A catalogue change moves the copy to title B's holding, and holds it while the renewal starts.
    const answer = await whileTheCopyMoves(copyOfA, titleB, () =>
      operators[1]?.post(`/api/circulation/loans/${north.institutionId}/${loanOfA}/renew`, {}),
    );
    // The item lock found no row once the change committed (its holding changed); the renewal
    // ran again step by step (decision 72) and read title B's queue: someone waits for it.
    expect(answer?.statusCode).toBe(422);
    expect(answer?.json().details.reasons).toEqual([
      expect.objectContaining({ code: 'REQUESTED_BY_ANOTHER_PATRON' }),
    ]);
    const loan = await db()
      .selectFrom('loans')
      .select('renewals_used')
      .where('id', '=', loanOfA as string)
      .executeTakeFirstOrThrow();
    expect(loan.renewals_used).toBe(0);
  });
});
