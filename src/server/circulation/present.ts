import { compiledOnce } from '../db/compiled.ts';
import { constant } from '../db/constants.ts';
import { pipelined } from '../db/pipeline.ts';
import { type Executor, patronName } from './repository.ts';

/** Where a loan's printable receipt is (CIRC-4: a loan receipt can be printed). */
export const receiptUrl = (institutionId: string, loanId: string) =>
  `/api/circulation/loans/${institutionId}/${loanId}/receipt`;

/**
 * A loan with what the desk shows of it: its item and record, its desk. The terms' renewals and
 * the desk's library are scalar subqueries: with all seven tables joined the planner spent
 * about 3 ms (more than the query itself) choosing a join order on every lend, return and
 * renewal, and the desk as a subquery was scanned once per row of a patron's loan list
 * (docs/benchmarks.md, "Profile and fixes"). The patron is joined by `loanQuery`; a patron's
 * list reads its patron once (`presentOpenLoans`).
 */
function loansWithTheirItems(db: Executor) {
  return db
    .selectFrom('loans as l')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 'l.institution_id').onRef('i.id', '=', 'l.item_id'),
    )
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'i.institution_id').onRef('b.id', '=', 'i.bib_id'),
    )
    .innerJoin('circulation_desks as d', 'd.id', 'l.desk_id')
    .select([
      'l.id',
      'l.institution_id',
      'l.loaned_at',
      'l.due_at',
      'l.status',
      'l.renewals_used',
      'l.returned_at',
      'l.desk_institution_id',
      'l.desk_id',
      'd.name as desk_name',
      'l.desk_library_id as library_id',
      'i.id as item_id',
      'i.barcode',
      'b.title',
      'b.author',
    ])
    .select((eb) => [
      eb
        .selectFrom('terms_of_use as t')
        .select('t.renewals_allowed')
        .whereRef('t.institution_id', '=', 'l.institution_id')
        .whereRef('t.id', '=', 'l.terms_of_use_id')
        .$asScalar()
        .$notNull()
        .as('renewals_allowed'),
      eb
        .selectFrom('libraries as dl')
        .select('dl.name')
        .whereRef('dl.id', '=', 'l.desk_library_id')
        .$asScalar()
        .$notNull()
        .as('library_name'),
    ]);
}

function loanQuery(db: Executor) {
  return loansWithTheirItems(db)
    .innerJoin('patrons as p', (j) =>
      j.onRef('p.institution_id', '=', 'l.institution_id').onRef('p.id', '=', 'l.patron_id'),
    )
    .select(['p.id as patron_id', 'p.first_name', 'p.last_name', 'p.preferred_name']);
}

type LoanRow = Awaited<ReturnType<ReturnType<typeof loanQuery>['executeTakeFirstOrThrow']>>;
type LoanOfPatronRow = Awaited<ReturnType<ReturnType<typeof loansWithTheirItems>['executeTakeFirstOrThrow']>>;

function present(r: LoanOfPatronRow, patron: LoanFacts['patron'], now: Date) {
  // Fields named one by one: spreading the row and adding four more made each object a
  // slow dictionary in V8, which cost 3 ms per 200 loans (docs/benchmarks.md).
  return presentLoanFacts(
    {
      id: r.id,
      institution_id: r.institution_id,
      loaned_at: r.loaned_at,
      due_at: r.due_at,
      status: r.status,
      renewals_used: r.renewals_used,
      renewals_allowed: r.renewals_allowed,
      returned_at: r.returned_at,
      item: { id: r.item_id, barcode: r.barcode, title: r.title, author: r.author },
      patron,
      desk: { id: r.desk_id, name: r.desk_name, institutionId: r.desk_institution_id },
      library: { id: r.library_id, name: r.library_name },
    },
    now,
  );
}

/** What the desk shows of a loan, from its row and the names of what it refers to. */
export interface LoanFacts {
  id: string;
  institution_id: string;
  loaned_at: Date;
  due_at: Date;
  status: LoanRow['status'];
  renewals_used: number;
  renewals_allowed: number;
  returned_at: Date | null;
  item: { id: string; barcode: string; title: string; author: string };
  patron: { id: string; name: string };
  desk: { id: string; name: string; institutionId: string };
  library: { id: string; name: string };
}

/**
 * A loan as the API shows it. A use case that has every fact in hand (a new loan, a renewal)
 * presents it from them instead of reading the loan back (docs/benchmarks.md).
 */
export function presentLoanFacts(f: LoanFacts, now: Date) {
  return {
    id: f.id,
    institutionId: f.institution_id,
    item: f.item,
    patron: f.patron,
    loanedAt: f.loaned_at.toISOString(),
    dueAt: f.due_at.toISOString(),
    status: f.status,
    overdue: f.status === 'active' && f.due_at < now,
    renewalsUsed: f.renewals_used,
    renewalsAllowed: f.renewals_allowed,
    returnedAt: f.returned_at?.toISOString() ?? null,
    desk: f.desk,
    library: f.library,
    receiptUrl: receiptUrl(f.institution_id, f.id),
  };
}
export type LoanView = ReturnType<typeof presentLoanFacts>;

const selectLoan = compiledOnce((db, v: { institutionId: string; loanId: string }) =>
  loanQuery(db).where('l.institution_id', '=', v.institutionId).where('l.id', '=', v.loanId),
);

export async function presentLoan(db: Executor, institutionId: string, loanId: string, now = new Date()) {
  const [row] = (await selectLoan(db, { institutionId, loanId })).rows;
  if (!row) throw new Error(`no loan ${loanId} at institution ${institutionId}`);
  return present(row, { id: row.patron_id, name: patronName(row) }, now);
}

const selectOpenLoans = compiledOnce((db, v: { institutionId: string; patronId: string }) =>
  loansWithTheirItems(db)
    .where('l.institution_id', '=', v.institutionId)
    .where('l.patron_id', '=', v.patronId)
    .where('l.status', '<>', constant('returned'))
    .orderBy('l.due_at')
    .orderBy('l.id'),
);

const selectPatronOfLoans = compiledOnce((db, v: { institutionId: string; patronId: string }) =>
  db
    .selectFrom('patrons')
    .select(['id', 'first_name', 'last_name', 'preferred_name'])
    .where('institution_id', '=', v.institutionId)
    .where('id', '=', v.patronId),
);

/**
 * The patron's open loans (active, lost or claimed returned), soonest due first; null when the
 * institution has no such patron. The patron is read once beside the loans, in the same write
 * (db/pipeline.ts), not joined to each of a list that runs to hundreds (docs/benchmarks.md).
 */
export async function presentOpenLoans(
  db: Executor,
  institutionId: string,
  patronId: string,
  now = new Date(),
): Promise<LoanView[] | null> {
  const v = { institutionId, patronId };
  const [patrons, loans] = await pipelined(db, [
    selectPatronOfLoans.statement(db, v),
    selectOpenLoans.statement(db, v),
  ] as const);
  const p = patrons.rows[0];
  if (!p) return null;
  const patron = { id: p.id, name: patronName(p) };
  return loans.rows.map((r) => present(r, patron, now));
}
