import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { benchVocabulary } from './generate.ts';

/**
 * The work each scenario consumes, chosen from the generated network before the run so that
 * every operation succeeds: a lent copy must be on the shelf, a returned one on loan, and so
 * on. Scenarios never share a title: the titles are split in four classes by a hash of their
 * id (0 lend, 1 scan in, 2 request, 3 return and renew; returns and renewals also take the
 * loans of classes 0 and 1, whose copies are on loan and so in neither of those pools), so a
 * request placed during the run cannot target a copy another scenario is about to lend. Rows come in a hashed order, which
 * spreads the work over all institutions.
 */

export interface LendWork {
  institutionId: string;
  deskId: string;
  barcode: string;
}
export interface ReturnWork {
  institutionId: string;
  deskId: string;
  barcode: string;
  libraryId: string;
}
export interface LoanWork {
  institutionId: string;
  loanId: string;
}
export interface RequestWork {
  institutionId: string;
  bibId: string;
  pickupLibraryId: string;
  /** Patrons with a copy of the title on loan, who may not request it (CIRC-7). */
  borrowers: string[];
}
export interface PatronWork {
  institutionId: string;
  patronId: string;
}

/** A queue of work rows taken in order; `take()` is null when it is used up. */
export class WorkQueue<T> {
  private index = 0;
  constructor(readonly rows: T[]) {}
  take(): T | null {
    return this.index < this.rows.length ? (this.rows[this.index++] as T) : null;
  }
  /** The remaining rows as a queue of their own, leaving this one empty. */
  get remaining(): number {
    return this.rows.length - this.index;
  }
  split(count: number): WorkQueue<T> {
    const part = this.rows.slice(this.index, this.index + count);
    this.index += part.length;
    return new WorkQueue(part);
  }
}

/** Patrons in good standing per institution, handed out in turn (lending and requesting). */
export class PatronRing {
  private readonly next = new Map<string, number>();
  constructor(private readonly byInstitution: Map<string, string[]>) {}
  /** The institution's next patron, passing over any in `passOver`; null when none is left. */
  take(institutionId: string, passOver: readonly string[] = []): string | null {
    const list = this.byInstitution.get(institutionId);
    if (!list || list.length === 0) return null;
    for (let tries = 0; tries < list.length; tries++) {
      const k = this.next.get(institutionId) ?? 0;
      this.next.set(institutionId, k + 1);
      const patronId = list[k % list.length] as string;
      if (!passOver.includes(patronId)) return patronId;
    }
    return null;
  }
}

const titleClass = (bibId: string) => sql`((hashtext(${sql.ref(bibId)}::text) & 2147483647) % 4)`;
const noActiveRequest = (bibId: string) =>
  sql`NOT EXISTS (SELECT 1 FROM requests r WHERE r.bib_id = ${sql.ref(bibId)} AND r.closed_at IS NULL)`;

export interface WorkPools {
  lend: WorkQueue<LendWork>;
  scanIn: WorkQueue<ReturnWork>;
  request: WorkQueue<RequestWork>;
  return: WorkQueue<ReturnWork>;
  renew: WorkQueue<LoanWork>;
  patrons: PatronRing;
  heavyBorrowers: PatronWork[];
  searchWords: string[];
}

/** Selects up to `size` rows of each kind of work. */
export async function selectWork(db: Db, size: number, now: Date): Promise<WorkPools> {
  const today = now.toISOString().slice(0, 10);
  // CIRC-4: an ordinary book on the shelf at its home library's desk.
  const lend = await sql<LendWork>`SELECT i.institution_id AS "institutionId", d.id AS "deskId", i.barcode
    FROM items i JOIN holdings h ON h.institution_id = i.institution_id AND h.id = i.holding_id
      JOIN circulation_desks d ON d.library_id = h.library_id
      JOIN item_policies ip ON ip.id = i.item_policy_id JOIN material_types mt ON mt.id = i.material_type_id
    WHERE i.in_place AND i.withdrawn_at IS NULL AND ip.code = 'REGULAR' AND mt.code = 'BOOK'
      AND ${titleClass('i.bib_id')} = 0 AND ${noActiveRequest('i.bib_id')}
    ORDER BY md5(i.id::text) LIMIT ${size}`.execute(db);
  // CIRC-6 / CIRC-9: items in transit arriving at their home library first, then copies to reshelve.
  const scanIn =
    await sql<ReturnWork>`SELECT i.institution_id AS "institutionId", d.id AS "deskId", i.barcode,
      h.library_id AS "libraryId"
    FROM items i JOIN holdings h ON h.institution_id = i.institution_id AND h.id = i.holding_id
      JOIN circulation_desks d ON d.library_id = h.library_id
    WHERE (i.in_place OR i.process_type = 'transit') AND i.withdrawn_at IS NULL
      AND ${titleClass('i.bib_id')} = 1 AND ${noActiveRequest('i.bib_id')}
    ORDER BY i.process_type IS NULL, md5(i.id::text) LIMIT ${size}`.execute(db);
  // CIRC-7: a title hold for pickup at the holding library, on a title with a requestable copy.
  const request = await sql<RequestWork>`SELECT b.institution_id AS "institutionId", b.id AS "bibId",
      (SELECT h.library_id FROM holdings h WHERE h.institution_id = b.institution_id AND h.bib_id = b.id LIMIT 1)
        AS "pickupLibraryId",
      -- A borrower of one of its copies would be refused (a generated loan; about 1 in 1,000).
      ARRAY(SELECT l.patron_id FROM items i JOIN loans l ON l.institution_id = i.institution_id
        AND l.item_id = i.id AND l.status <> 'returned'
        WHERE i.institution_id = b.institution_id AND i.bib_id = b.id) AS "borrowers"
    FROM bib_records b
    WHERE ${titleClass('b.id')} = 2 AND ${noActiveRequest('b.id')} AND EXISTS (SELECT 1 FROM items i
      JOIN item_policies ip ON ip.id = i.item_policy_id
      WHERE i.institution_id = b.institution_id AND i.bib_id = b.id AND ip.code = 'REGULAR')
    ORDER BY md5(b.id::text) LIMIT ${size}`.execute(db);
  // CIRC-6 / CIRC-5: active loans nobody waits for (on any title but the requested class), of
  // patrons in good standing (not the heavy borrowers, whose lists the read scenario needs
  // whole); one half of them to return, the other to renew (chosen separately, so that one
  // consumed faster never crowds the other out). A renewal must move the due date: renewals are
  // left, and the loan is due before a renewal from now would make it (not renewed today).
  const loans = (half: number) =>
    sql<ReturnWork & LoanWork>`SELECT l.institution_id AS "institutionId",
      l.id AS "loanId", i.barcode, d.id AS "deskId", h.library_id AS "libraryId"
    FROM loans l JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
      JOIN holdings h ON h.institution_id = i.institution_id AND h.id = i.holding_id
      JOIN circulation_desks d ON d.library_id = h.library_id
      JOIN patrons p ON p.institution_id = l.institution_id AND p.id = l.patron_id
      JOIN terms_of_use t ON t.institution_id = l.institution_id AND t.id = l.terms_of_use_id
    WHERE l.status = 'active' AND (hashtext(l.id::text) & 1) = ${half}
      AND l.renewals_used < t.renewals_allowed AND l.due_at < ${now}::timestamptz + (t.renewal_period - 2) * interval '1 day'
      AND ${titleClass('i.bib_id')} <> 2 AND ${noActiveRequest('i.bib_id')}
      AND p.expiry_date > ${today}::date
      AND NOT EXISTS (SELECT 1 FROM patron_blocks pb WHERE pb.institution_id = p.institution_id AND pb.patron_id = p.id)
      AND (SELECT count(*) FROM loans o WHERE o.institution_id = l.institution_id AND o.patron_id = l.patron_id
        AND o.status = 'active') < 100
    ORDER BY md5(l.id::text) LIMIT ${size}`.execute(db);
  const toReturn = await loans(0);
  const toRenew = await loans(1);
  // Borrowers and requesters: undergraduates, graduates and staff in good standing with few loans.
  const patrons = await sql<PatronWork>`SELECT institution_id AS "institutionId", id AS "patronId" FROM (
      SELECT p.institution_id, p.id, row_number() OVER (PARTITION BY p.institution_id ORDER BY md5(p.id::text)) AS k
      FROM patrons p JOIN user_groups g ON g.id = p.user_group_id
      WHERE g.code IN ('UNDERGRAD', 'GRAD', 'STAFF') AND p.expiry_date > ${today}::date AND p.status = 'active'
        AND NOT EXISTS (SELECT 1 FROM patron_blocks pb WHERE pb.institution_id = p.institution_id AND pb.patron_id = p.id)
        AND (SELECT count(*) FROM loans l WHERE l.institution_id = p.institution_id AND l.patron_id = p.id
          AND l.status <> 'returned') < 5) x
    WHERE k <= 400`.execute(db);
  const heavy = await sql<PatronWork>`SELECT l.institution_id AS "institutionId", l.patron_id AS "patronId"
    FROM loans l WHERE l.status = 'active' GROUP BY l.institution_id, l.patron_id HAVING count(*) >= 150
    ORDER BY l.patron_id`.execute(db);

  const byInstitution = new Map<string, string[]>();
  for (const p of patrons.rows) {
    const list = byInstitution.get(p.institutionId) ?? [];
    list.push(p.patronId);
    byInstitution.set(p.institutionId, list);
  }
  const words = benchVocabulary();
  return {
    lend: new WorkQueue(lend.rows),
    scanIn: new WorkQueue(scanIn.rows),
    request: new WorkQueue(request.rows),
    return: new WorkQueue(toReturn.rows),
    renew: new WorkQueue(toRenew.rows),
    patrons: new PatronRing(byInstitution),
    heavyBorrowers: heavy.rows,
    // Searches of one word or two, over the whole vocabulary, in a fixed order.
    searchWords: Array.from({ length: 500 }, (_, k) => {
      const a = words[(k * 7919) % words.length] as string;
      const b = words[(k * 104_729 + 13) % words.length] as string;
      return k % 3 === 0 ? `${a} ${b}` : a;
    }),
  };
}
