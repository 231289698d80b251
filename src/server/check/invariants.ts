import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface Violation {
  invariant: string;
  message: string;
  rows: Record<string, unknown>[];
}

interface Check {
  invariant: string;
  message: string;
  query: ReturnType<typeof sql<Record<string, unknown>>>;
}

/**
 * The INV section of product.md as queries that return the rows breaking an invariant. Each
 * is the second line of defence behind a database constraint where one can express it; the
 * parts about letters' delivery and linked accounts grow with their issues.
 */
const CHECKS: Check[] = [
  {
    invariant: 'INV-1',
    message: 'an item has more than one open loan',
    query: sql`SELECT institution_id, item_id, count(*)::int AS open_loans FROM loans
      WHERE status <> 'returned' GROUP BY institution_id, item_id HAVING count(*) > 1`,
  },
  {
    invariant: 'INV-2',
    message: "an item's process type says loan but no open loan holds it",
    query: sql`SELECT i.institution_id, i.id AS item_id, i.barcode FROM items i
      WHERE i.process_type IN ('loan', 'lost', 'claimed_returned') AND NOT EXISTS (
        SELECT 1 FROM loans l WHERE l.institution_id = i.institution_id AND l.item_id = i.id AND l.status <> 'returned')`,
  },
  {
    invariant: 'INV-2',
    message: 'an item with an open loan is not marked as on loan (or lost / claimed returned)',
    query: sql`SELECT i.institution_id, i.id AS item_id, i.barcode, i.process_type, l.status AS loan_status FROM items i
      JOIN loans l ON l.institution_id = i.institution_id AND l.item_id = i.id AND l.status <> 'returned'
      WHERE i.process_type IS DISTINCT FROM (CASE l.status WHEN 'active' THEN 'loan' ELSE l.status END)`,
  },
  {
    invariant: 'INV-2',
    message: 'an item is in place and has a process type, or is not in place without one',
    query: sql`SELECT institution_id, id AS item_id, barcode FROM items WHERE in_place <> (process_type IS NULL)`,
  },
  {
    invariant: 'INV-1',
    message: 'an item has more than one open transit',
    query: sql`SELECT institution_id, item_id, count(*)::int AS open_transits FROM transits
      WHERE status = 'open' GROUP BY institution_id, item_id HAVING count(*) > 1`,
  },
  {
    invariant: 'INV-1',
    message: 'more than one request holds an item (picked, in transit or on the hold shelf)',
    query: sql`SELECT institution_id, item_id, count(*)::int AS holding_requests FROM requests
      WHERE status IN ('in_process', 'in_transit', 'on_hold_shelf') AND item_id IS NOT NULL
      GROUP BY institution_id, item_id HAVING count(*) > 1`,
  },
  {
    invariant: 'INV-2',
    message:
      "an item's process type says transit exactly when it has no open transit, or the other way round",
    query: sql`SELECT i.institution_id, i.id AS item_id, i.barcode, i.process_type FROM items i
      WHERE (i.process_type = 'transit') <> EXISTS (
        SELECT 1 FROM transits t WHERE t.institution_id = i.institution_id AND t.item_id = i.id AND t.status = 'open')`,
  },
  {
    invariant: 'INV-2',
    message:
      "an item's process type says hold shelf exactly when no request is on the shelf with it, or the other way round",
    query: sql`SELECT i.institution_id, i.id AS item_id, i.barcode, i.process_type FROM items i
      WHERE (i.process_type = 'hold_shelf') <> EXISTS (
        SELECT 1 FROM requests r WHERE r.institution_id = i.institution_id AND r.item_id = i.id AND r.status = 'on_hold_shelf')`,
  },
  {
    invariant: 'INV-2',
    message:
      "an item's process type says requested (picked) exactly when no picked request holds it, or the other way round",
    query: sql`SELECT i.institution_id, i.id AS item_id, i.barcode, i.process_type FROM items i
      WHERE (i.process_type = 'requested') <> EXISTS (
        SELECT 1 FROM requests r WHERE r.institution_id = i.institution_id AND r.item_id = i.id AND r.status = 'in_process')`,
  },
  {
    invariant: 'INV-3',
    message:
      'a request picked, in transit or on the hold shelf has no item, or one in transit has no open transit for it',
    query: sql`SELECT r.institution_id, r.id AS request_id, r.status FROM requests r
      WHERE (r.status IN ('in_process', 'in_transit', 'on_hold_shelf') AND r.item_id IS NULL)
        OR (r.status = 'in_transit' AND NOT EXISTS (SELECT 1 FROM transits t WHERE t.institution_id = r.institution_id
          AND t.item_id = r.item_id AND t.request_id = r.id AND t.status = 'open'))`,
  },
  {
    invariant: 'INV-3',
    message: 'a completed request has no loan of its item to its patron',
    query: sql`SELECT r.institution_id, r.id AS request_id FROM requests r
      WHERE r.status = 'completed' AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.institution_id = r.institution_id
        AND l.id = r.completed_loan_id AND l.item_id = r.item_id AND l.patron_id = r.patron_id)`,
  },
  {
    invariant: 'INV-3',
    message: 'a request queue has a gap or two requests in one place',
    query: sql`SELECT institution_id, bib_id, volume, count(*)::int AS active, max(queue_position) AS last,
        count(DISTINCT queue_position)::int AS places FROM requests
      WHERE status IN ('not_started', 'in_process', 'in_transit', 'on_hold_shelf')
      GROUP BY institution_id, bib_id, volume
      HAVING count(*) <> max(queue_position) OR count(DISTINCT queue_position) <> count(*) OR min(queue_position) <> 1`,
  },
  {
    invariant: 'INV-3',
    message: 'a closed request still has a place in a queue, or an active one has none',
    query: sql`SELECT institution_id, id AS request_id, status, queue_position FROM requests
      WHERE (status IN ('not_started', 'in_process', 'in_transit', 'on_hold_shelf')) <> (queue_position IS NOT NULL)`,
  },
  {
    invariant: 'INV-4',
    message: 'a patron has more than one active request for a work and volume',
    query: sql`SELECT institution_id, patron_id, work_key, volume, count(*)::int AS active FROM requests
      WHERE status IN ('not_started', 'in_process', 'in_transit', 'on_hold_shelf')
      GROUP BY institution_id, patron_id, work_key, volume HAVING count(*) > 1`,
  },
  {
    invariant: 'INV-4',
    message: 'a loan has more than one overdue fine',
    query: sql`SELECT institution_id, loan_id, count(*)::int AS fines FROM fees
      WHERE fee_type = 'overdue_fine' GROUP BY institution_id, loan_id HAVING count(*) > 1`,
  },
  {
    invariant: 'INV-5',
    message: "a fee's status does not match its balance, or its balance exceeds the original amount",
    query: sql`SELECT institution_id, id AS fee_id, status, balance_minor, original_minor FROM fees
      WHERE (status = 'closed') <> (balance_minor = 0) OR balance_minor > original_minor OR balance_minor < 0`,
  },
  {
    invariant: 'INV-5',
    message:
      "a fee's balance is not its original amount minus its payments and waivers, or more was refunded than paid",
    query: sql`SELECT f.institution_id, f.id AS fee_id, f.original_minor, f.balance_minor,
        coalesce(t.paid, 0) AS paid_minor, coalesce(t.waived, 0) AS waived_minor, coalesce(t.refunded, 0) AS refunded_minor
      FROM fees f LEFT JOIN (
        SELECT institution_id, fee_id,
          sum(amount_minor) FILTER (WHERE kind = 'payment') AS paid,
          sum(amount_minor) FILTER (WHERE kind = 'waive') AS waived,
          sum(amount_minor) FILTER (WHERE kind = 'refund') AS refunded
        FROM fee_transactions GROUP BY institution_id, fee_id) t
        ON t.institution_id = f.institution_id AND t.fee_id = f.id
      WHERE f.balance_minor <> f.original_minor - coalesce(t.paid, 0) - coalesce(t.waived, 0)
        OR coalesce(t.refunded, 0) > coalesce(t.paid, 0)`,
  },
  {
    invariant: 'INV-6',
    message: "a loan's desk and institution disagree, or the loan is not the item owner's",
    query: sql`SELECT l.institution_id, l.id AS loan_id FROM loans l
      LEFT JOIN circulation_desks d ON d.id = l.desk_id
      LEFT JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
      WHERE d.institution_id IS DISTINCT FROM l.desk_institution_id OR d.library_id IS DISTINCT FROM l.desk_library_id
        OR i.id IS NULL`,
  },
  {
    invariant: 'INV-6',
    message: 'a fee or a history entry names a loan of another institution',
    query: sql`SELECT f.institution_id, f.id AS fee_id FROM fees f
      WHERE f.loan_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.institution_id = f.institution_id AND l.id = f.loan_id)`,
  },
  {
    invariant: 'INV-6',
    message: "a request's item is not a copy of its title, or its work key is not its title's",
    query: sql`SELECT r.institution_id, r.id AS request_id FROM requests r
      JOIN bib_records b ON b.institution_id = r.institution_id AND b.id = r.bib_id
      LEFT JOIN items i ON i.institution_id = r.institution_id AND i.id = r.item_id
      WHERE b.work_key <> r.work_key OR (r.item_id IS NOT NULL AND (i.bib_id <> r.bib_id OR i.enumeration <> r.volume))`,
  },
  {
    invariant: 'INV-6',
    message: 'a transit carries a request of another item or institution',
    query: sql`SELECT t.institution_id, t.id AS transit_id FROM transits t
      WHERE t.status = 'open' AND t.request_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM requests r
        WHERE r.institution_id = t.institution_id AND r.id = t.request_id AND r.item_id = t.item_id)`,
  },
  {
    invariant: 'INV-7',
    message:
      'a letter is delivered without a delivery time, pending after delivery, or failed without attempts',
    query: sql`SELECT institution_id, id AS letter_id, status, attempts FROM letters
      WHERE (status = 'delivered') <> (delivered_at IS NOT NULL) OR (status = 'failed' AND attempts = 0)
        OR (status = 'failed' AND last_error IS NULL)`,
  },
];

/**
 * Runs every check and names every violation (INV section; `npm run check`). With an
 * institution, only the rows that institution owns are reported (every row names its owner).
 */
export async function checkInvariants(db: Db, institutionId?: string): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const check of CHECKS) {
    const result = await check.query.execute(db);
    const rows = institutionId ? result.rows.filter((r) => r.institution_id === institutionId) : result.rows;
    if (rows.length > 0) violations.push({ invariant: check.invariant, message: check.message, rows });
  }
  return violations;
}
