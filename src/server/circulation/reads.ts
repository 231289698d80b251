import { type Actor, authorize, can, requirePatron } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import { forbidden, notFound, unauthenticated } from '../shared/errors.ts';
import { presentLoan, presentOpenLoans } from './present.ts';
import { patronName } from './repository.ts';

/** The patron's open loans with due dates, overdue flags and renewals; circulation.desk or patrons.read. */
export async function listPatronLoans(db: Db, actor: Actor | null, institutionId: string, patronId: string) {
  if (!actor) throw unauthenticated();
  const scope = { institutionId };
  if (!can(actor, 'circulation.desk', scope) && !can(actor, 'patrons.read', scope)) {
    throw forbidden('FORBIDDEN', 'You do not have the circulation.desk or patrons.read privilege here.', {
      privilege: 'patrons.read',
      scope,
    });
  }
  const loans = await presentOpenLoans(db, institutionId, patronId);
  if (!loans) throw notFound('PATRON_NOT_FOUND', 'No such patron in this institution.', { patronId });
  return loans;
}

/** The signed-in patron's own open loans (discovery). */
export async function listMyLoans(db: Db, actor: Actor | null) {
  const patron = requirePatron(actor);
  // A session whose patron is gone (erased since it began) has no loans to show.
  return (await presentOpenLoans(db, patron.institutionId, patron.patronId)) ?? [];
}

/** CIRC-13: the item's history, newest first, with the names of place and operator. */
export async function itemHistory(db: Db, actor: Actor | null, institutionId: string, itemId: string) {
  authorize(actor, 'inventory.read', { institutionId });
  const item = await db
    .selectFrom('items')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('id', '=', itemId)
    .executeTakeFirst();
  if (!item) throw notFound('ITEM_NOT_FOUND', 'No such item in this institution.', { itemId });
  const rows = await db
    .selectFrom('item_history as h')
    .leftJoin('institutions as ai', 'ai.id', 'h.acting_institution_id')
    .leftJoin('libraries as l', 'l.id', 'h.library_id')
    .leftJoin('circulation_desks as d', 'd.id', 'h.desk_id')
    .leftJoin('staff as s', 's.id', 'h.operator_staff_id')
    .leftJoin('patrons as p', (j) =>
      j.onRef('p.institution_id', '=', 'h.institution_id').onRef('p.id', '=', 'h.patron_id'),
    )
    .select([
      'h.id',
      'h.at',
      'h.event',
      'h.loan_id',
      'h.details',
      'h.acting_institution_id',
      'ai.name as acting_institution_name',
      'h.library_id',
      'l.name as library_name',
      'h.desk_id',
      'd.name as desk_name',
      'h.operator_staff_id',
      's.name as operator_name',
      'h.patron_id',
      'p.first_name',
      'p.last_name',
      'p.preferred_name',
    ])
    .where('h.institution_id', '=', institutionId)
    .where('h.item_id', '=', itemId)
    .orderBy('h.at', 'desc')
    .orderBy('h.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at.toISOString(),
    event: r.event,
    loanId: r.loan_id,
    institution: r.acting_institution_id
      ? { id: r.acting_institution_id, name: r.acting_institution_name }
      : null,
    library: r.library_id ? { id: r.library_id, name: r.library_name } : null,
    desk: r.desk_id ? { id: r.desk_id, name: r.desk_name } : null,
    operator: r.operator_staff_id ? { id: r.operator_staff_id, name: r.operator_name } : null,
    // PAT-10: an anonymised entry names no patron.
    patron:
      r.patron_id && r.last_name !== null
        ? {
            id: r.patron_id,
            name: patronName({
              first_name: r.first_name ?? '',
              last_name: r.last_name,
              preferred_name: r.preferred_name,
            }),
          }
        : null,
    details: (r.details ?? {}) as Record<string, unknown>,
  }));
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/**
 * CIRC-4: the loan receipt as a print-ready page (the emailed receipt is the loan_receipt
 * letter of the outbox). Due dates are shown in the lending library's time zone.
 */
export async function loanReceiptHtml(db: Db, actor: Actor | null, institutionId: string, loanId: string) {
  authorize(actor, 'circulation.desk', { institutionId });
  const exists = await db
    .selectFrom('loans')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('id', '=', loanId)
    .executeTakeFirst();
  if (!exists) throw notFound('LOAN_NOT_FOUND', 'No such loan in this institution.', { loanId });
  const loan = await presentLoan(db, institutionId, loanId);
  const place = await db
    .selectFrom('libraries as l')
    .innerJoin('institutions as li', 'li.id', 'l.institution_id')
    .innerJoin('institutions as i', (j) => j.on('i.id', '=', institutionId))
    .select(['i.name as institution_name', 'l.name as library_name'])
    .select((eb) => eb.fn.coalesce('l.time_zone', 'li.time_zone').as('time_zone'))
    .where('l.id', '=', loan.library.id)
    .executeTakeFirstOrThrow();
  const due = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: place.time_zone,
  }).format(new Date(loan.dueAt));
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loan receipt</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; color: #111; }
table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: .4rem; border-bottom: 1px solid #ccc; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } .no-print { display: none; } }
@page { size: auto; margin: 12mm; }
</style></head>
<body>
<h1>${e(place.institution_name)}</h1>
<p>${e(place.library_name)} &middot; ${e(loan.desk.name)}</p>
<h2>Loan receipt</h2>
<p>Patron: <strong>${e(loan.patron.name)}</strong></p>
<table><thead><tr><th>Title</th><th>Barcode</th><th>Due</th></tr></thead>
<tbody><tr><td>${e(loan.item.title)}</td><td>${e(loan.item.barcode)}</td><td>${e(due)}</td></tr></tbody></table>
<p class="no-print"><button onclick="window.print()">Print</button></p>
</body></html>`;
}
