import { randomUUID } from 'node:crypto';
import type { CommandContext } from '../shared/command-context.ts';
import { notFound, refused } from '../shared/errors.ts';
import { clock } from './context.ts';
import { presentOpenLoans } from './present.ts';
import { lockPatron, writeLetter } from './repository.ts';

/**
 * CIRC-4 / CIRC-12: emails the patron one loan receipt listing the chosen open loans (the
 * desk's "Email receipt"). It is a loan_receipt letter in the outbox, written with the
 * institution's template and sender like the receipt written at each loan. Every loan must be
 * an open loan of this patron: an unknown loan or another patron's answers 404
 * LOAN_NOT_FOUND, a returned loan 422 LOAN_NOT_ACTIVE; a patron without an email 422
 * PATRON_HAS_NO_EMAIL. Nothing is written on a refusal.
 */
export async function emailLoanReceipt(
  ctx: CommandContext & { now?: Date },
  institutionId: string,
  patronId: string,
  loanIds: string[],
): Promise<{ letterId: string; to: string }> {
  const now = clock(ctx);
  const ids = [...new Set(loanIds)];
  const patron = await lockPatron(ctx.db, institutionId, patronId, now, { lock: false, blocks: false });

  // The patron was found just above; a list of none would refuse every loan as unknown.
  const open = (await presentOpenLoans(ctx.db, institutionId, patronId, now)) ?? [];
  const openById = new Map(open.map((l) => [l.id, l]));
  const notOpen = ids.filter((id) => !openById.has(id));
  if (notOpen.length > 0) {
    const returned = await ctx.db
      .selectFrom('loans')
      .select('id')
      .where('institution_id', '=', institutionId)
      .where('patron_id', '=', patronId)
      .where('id', 'in', notOpen)
      .execute();
    const returnedIds = new Set(returned.map((r) => r.id));
    const unknown = notOpen.filter((id) => !returnedIds.has(id));
    if (unknown.length > 0) {
      throw notFound('LOAN_NOT_FOUND', 'No such loan of this patron in this institution.', {
        loanIds: unknown,
      });
    }
    throw refused(
      'LOAN_NOT_ACTIVE',
      'These loans are already returned: only current loans go on a receipt.',
      {
        loanIds: notOpen,
      },
    );
  }
  if (!patron.email) {
    throw refused(
      'PATRON_HAS_NO_EMAIL',
      'The patron has no email address: print the receipt instead, or add an email to the patron record.',
      { patronId },
    );
  }
  const to = patron.email;

  const institution = await ctx.db
    .selectFrom('institutions')
    .select(['name', 'time_zone'])
    .where('id', '=', institutionId)
    .executeTakeFirstOrThrow();
  const due = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: institution.time_zone,
  });
  const loans = ids.map((id) => openById.get(id)).filter((l) => l !== undefined);
  // A fresh Message-ID each time, so the insert always writes: each click is one more receipt.
  const letterId = await writeLetter(ctx.db, {
    institutionId,
    patronId,
    type: 'loan_receipt',
    to,
    subject: `${institution.name}: loan receipt`,
    body: [
      `Dear ${patron.name},`,
      '',
      loans.length === 1 ? 'You have this item on loan:' : `You have these ${loans.length} items on loan:`,
      ...loans.map((l) => `  ${l.item.title} (${l.item.barcode}), due ${due.format(new Date(l.dueAt))}`),
      '',
      institution.name,
    ].join('\n'),
    messageId: `loan-receipt-${randomUUID()}@shelfshare`,
    at: now,
  });
  if (!letterId) throw new Error('unreachable: a new Message-ID never conflicts');
  return { letterId, to };
}
